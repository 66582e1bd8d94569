import { policyColumns, type Dataset, type Model, type PolicyNode } from '@perch/engine';
import type { Connector } from '../connectors/index.js';
import { probeColumns } from '../query/policy-column-types.js';
import { finding, type Finding } from './findings.js';
import { modelTenantColumns, tenantKeys } from './policy-shape.js';
import { raw } from './reference-sql.js';
import type { ReferenceWarehouse } from './reference-warehouse.js';

/** Model path of the first policy leaf over `column`, for a finding's file/path. */
function policyPath(node: PolicyNode, column: string, path = ''): string | undefined {
  if ('children' in node) {
    for (const [i, child] of node.children.entries()) {
      const found = policyPath(child, column, `${path}.${node.kind}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return node.kind === 'column' && node.column === column ? `${path}.column` : undefined;
}

function where(dataset: Dataset, column: string): { file: string; path: string } {
  const leaf = dataset.rowLevelSecurity === 'none' ? '' : (policyPath(dataset.rowLevelSecurity, column) ?? '');
  return { file: dataset.file, path: `datasets.${dataset.name}.rowLevelSecurity${leaf}` };
}

/** Whether the dataset's source has each column (a zero-row probe per column). */
async function existingColumns(connector: Connector, dataset: Dataset, columns: readonly string[]): Promise<Set<string>> {
  const types = await probeColumns(connector, dataset, columns);
  return new Set(types.keys());
}

/**
 * The checks that need no tenant: policy columns exist with their declared types, tenant columns
 * hold no NULL or empty value, no public dataset carries tenant data, and joins keep the tenant
 * boundary. A truly public catalogue (no tenant column in its source) passes.
 *
 * @example
 * ```ts
 * const findings = await staticChecks(model, connector, reference);
 * ```
 */
export async function staticChecks(model: Model, connector: Connector, reference: ReferenceWarehouse): Promise<Finding[]> {
  const findings: Finding[] = [];
  const tenantColumns = modelTenantColumns(model);
  const missing = new Map<string, Set<string>>();

  for (const dataset of model.datasets.values()) {
    const columns = policyColumns(dataset);
    if (columns.length === 0) continue;
    const types = await probeColumns(connector, dataset, columns);
    for (const column of columns) {
      const actual = types.get(column);
      if (actual === undefined) {
        findings.push(finding('policy_column_missing', { dataset: dataset.name, ...where(dataset, column), message: `column "${column}" does not exist in the source of dataset "${dataset.name}"` }));
        missing.set(dataset.name, (missing.get(dataset.name) ?? new Set()).add(column));
        continue;
      }
      const declared = [...dataset.dimensions.values()].find((d) => d.column === column)?.type;
      if (declared !== undefined && declared !== actual) {
        findings.push(finding('policy_column_type_mismatch', { dataset: dataset.name, ...where(dataset, column), message: `column "${column}" is ${actual} in the warehouse, but a dimension declares ${declared}` }));
      }
    }
    for (const key of tenantKeys(dataset)) {
      if (missing.get(dataset.name)?.has(key.column)) continue;
      const column = `${raw.quote('t')}.${raw.quote(key.column)}`;
      const [row] = await reference.rows(`SELECT COUNT(*) FROM ${raw.sourceSql(dataset)} AS ${raw.quote('t')} WHERE ${column} IS NULL OR CAST(${column} AS VARCHAR) = ''`);
      const empty = Number(row?.[0] ?? 0);
      if (empty > 0) {
        findings.push(finding('tenant_column_empty', { dataset: dataset.name, ...where(dataset, key.column), message: `${empty} row(s) of dataset "${dataset.name}" have no value in tenant column "${key.column}": no tenant sees them`, values: [empty] }));
      }
    }
  }

  // Public datasets: their source must not carry a column that a policy elsewhere treats as the
  // tenant boundary, or every tenant reads every tenant's rows through them.
  const publicTenantData = new Map<string, string[]>();
  for (const dataset of model.datasets.values()) {
    if (dataset.rowLevelSecurity !== 'none' || tenantColumns.size === 0) continue;
    const carried = [...(await existingColumns(connector, dataset, [...tenantColumns.keys()]))];
    if (carried.length === 0) continue;
    publicTenantData.set(dataset.name, carried);
    findings.push(
      finding('public_dataset_tenant_column', {
        dataset: dataset.name,
        file: dataset.file,
        path: `datasets.${dataset.name}.rowLevelSecurity`,
        message: `dataset "${dataset.name}" has rowLevelSecurity: none, but its source has the tenant column(s) ${carried.map((c) => `"${c}"`).join(', ')}`,
        values: carried,
      }),
    );
  }

  for (const dataset of model.datasets.values()) {
    const ownAttributes = new Set(tenantKeys(dataset).map((key) => key.attribute));
    for (const join of dataset.joins.values()) {
      const target = model.datasets.get(join.dataset);
      if (!target) continue;
      const location = { dataset: dataset.name, file: dataset.file, path: `datasets.${dataset.name}.joins.${join.name}` };
      const carried = publicTenantData.get(target.name);
      if (carried) {
        findings.push(finding('join_unscoped_tenant_data', { ...location, message: `join "${join.name}" reads dataset "${target.name}", which is public but holds tenant column(s) ${carried.map((c) => `"${c}"`).join(', ')}`, values: carried }));
        continue;
      }
      const targetAttributes = new Set(tenantKeys(target).map((key) => key.attribute));
      if (ownAttributes.size > 0 && targetAttributes.size > 0 && ![...targetAttributes].some((a) => ownAttributes.has(a))) {
        findings.push(
          finding('join_tenant_mismatch', {
            ...location,
            message: `join "${join.name}" reads dataset "${target.name}", whose tenant boundary binds ${[...targetAttributes].join(', ')} while "${dataset.name}" binds ${[...ownAttributes].join(', ')}`,
          }),
        );
      }
    }
  }
  return findings;
}
