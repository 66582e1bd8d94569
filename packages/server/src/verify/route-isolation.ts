/**
 * `perch verify-isolation` for tenant-routed datasets: each routed schema is a tenant. The
 * tenants are sampled from the warehouse's catalog (the schemas matching the route's pattern);
 * for each, the governed path answers distinct-value look-ups and a grouped query, and no answer
 * for tenant schema A may hold a value that appears in another sampled schema B only.
 */
import { PerchError, type AttributeValue, type EmbedTokenClaims, type EmbedUser } from '@perch/protocol';
import type { Dataset, Model, PolicyNode, TableRoute } from '@perch/engine';
import type { QueryService } from '../query/index.js';
import type { TenantCatalog } from '../connectors/index.js';
import { finding, type Finding } from './findings.js';
import { normaliseCell, type ReferenceValue } from './compare.js';
import { raw } from './reference-sql.js';
import type { ReferenceWarehouse } from './reference-warehouse.js';

export interface RouteIsolationResult {
  readonly findings: Finding[];
  /** The tenant schemas sampled, by dataset. */
  readonly tenants: Record<string, string[]>;
  readonly queries: number;
}

/** Distinct values read per column and tenant: enough to find a leak, bounded on big tenants. */
const VALUE_LIMIT = 1_000;

/** The datasets routed to a tenant schema. */
export function schemaRoutedDatasets(model: Model): Array<Dataset & { source: { table: string; route: TableRoute } }> {
  return [...model.datasets.values()].filter((d): d is Dataset & { source: { table: string; route: TableRoute } } => 'table' in d.source && d.source.route?.kind === 'schema');
}

/**
 * A model without the routed datasets (and the datasets joining them), for the checks that read
 * raw tables by their unqualified names.
 */
export function unroutedModel(model: Model): Model {
  const routed = (d: Dataset): boolean => 'table' in d.source && d.source.route !== undefined;
  const datasets = new Map([...model.datasets].filter(([, d]) => !routed(d) && ![...d.joins.values()].some((j) => { const target = model.datasets.get(j.dataset); return target !== undefined && routed(target); })));
  return { datasets, dashboards: new Map() };
}

/**
 * Check every schema-routed dataset of `model`.
 *
 * @example
 * ```ts
 * const { findings } = await routeIsolation(model, service, connector.catalog, reference, { tenants: 10 });
 * ```
 */
export async function routeIsolation(model: Model, service: QueryService, catalog: TenantCatalog, reference: ReferenceWarehouse, options: { tenants: number }): Promise<RouteIsolationResult> {
  const findings: Finding[] = [];
  const tenants: Record<string, string[]> = {};
  let queries = 0;
  for (const dataset of schemaRoutedDatasets(model)) {
    const route = dataset.source.route;
    const pattern = new RegExp(`^(?:${route.pattern})$`, 'u');
    const sampled = [...(await catalog.names('schema'))].filter((name) => pattern.test(name)).sort().slice(0, Math.max(2, options.tenants));
    tenants[dataset.name] = sampled;
    const columns = [...new Set([...dataset.dimensions.values()].filter((d) => d.type === 'string').map((d) => d.column))];
    // Raw values per tenant schema, read outside the governed path.
    const rawValues = new Map<string, Map<string, ReferenceValue[]>>();
    for (const schema of sampled) {
      const byColumn = new Map<string, ReferenceValue[]>();
      for (const column of new Set([...columns, ...policyAttributeColumns(dataset.rowLevelSecurity).map((p) => p.column)])) {
        const c = raw.quote(column);
        const rows = await reference.rows(`SELECT DISTINCT ${c} FROM ${raw.quote(schema)}.${raw.quote(dataset.source.table)} WHERE ${c} IS NOT NULL ORDER BY 1 LIMIT ${VALUE_LIMIT}`);
        byColumn.set(column, rows.map((row) => row[0] as ReferenceValue));
      }
      rawValues.set(schema, byColumn);
    }
    const owners = new Map<string, Set<string>>();
    for (const [schema, byColumn] of rawValues) for (const values of byColumn.values()) for (const value of values) owners.set(String(value), (owners.get(String(value)) ?? new Set()).add(schema));

    for (const schema of sampled) {
      const user = userFor(dataset, route, schema, rawValues.get(schema) ?? new Map());
      const claims = claimsFor(user);
      const answers: unknown[] = [];
      const ask = async (label: string, run: () => Promise<unknown>): Promise<void> => {
        queries += 1;
        try {
          answers.push(await run());
        } catch (error) {
          const code = error instanceof PerchError ? error.code : 'internal_error';
          findings.push(finding('query_failed', { dataset: dataset.name, tenant: schema, query: label, message: `a governed ${label} for tenant schema "${schema}" failed: ${code}` }));
        }
      };
      for (const [member, dimension] of dataset.dimensions) {
        if (dimension.type !== 'string') continue;
        await ask(`values of ${member}`, async () => (await service.distinctValues(claims, { dataset: dataset.name, member, limit: VALUE_LIMIT })).result.rows);
      }
      const dimensions = [...dataset.dimensions].filter(([, d]) => d.type === 'string').map(([name]) => name);
      const measures = [...dataset.measures.keys()].slice(0, 1);
      if (dimensions.length > 0) await ask('grouped query', async () => (await service.run(claims, { dataset: dataset.name, dimensions, measures, limit: VALUE_LIMIT })).result.rows);
      const foreign = new Set<string>();
      // Only dimension cells are compared: a measure's number may equal another tenant's label by chance.
      const dimensionKeys = new Set(dimensions);
      for (const rows of answers) {
        for (const row of rows as Array<Record<string, unknown>>) {
          for (const [key, cell] of Object.entries(row)) {
            if (!dimensionKeys.has(key)) continue;
            const owner = owners.get(String(normaliseCell(cell)));
            if (owner && !owner.has(schema)) foreign.add(String(cell));
          }
        }
      }
      if (foreign.size > 0) {
        findings.push(finding('foreign_value_seen', { dataset: dataset.name, tenant: schema, values: [...foreign].slice(0, 5), message: `answers for tenant schema "${schema}" hold values found only in other tenant schemas` }));
      }
    }
  }
  return { findings, tenants, queries };
}

/** Column conditions that bind an attribute other than the route's: they need a value per tenant. */
function policyAttributeColumns(node: 'none' | PolicyNode): Array<{ column: string; attribute: string; list: boolean }> {
  if (node === 'none') return [];
  if (node.kind === 'all' || node.kind === 'any') return node.children.flatMap(policyAttributeColumns);
  if (node.kind === 'column' && 'attribute' in node.operand) return [{ column: node.column, attribute: node.operand.attribute, list: node.operator === 'in' || node.operator === 'notIn' }];
  return [];
}

/**
 * A user of tenant schema `schema`: the route attribute names it, and each other policy
 * attribute takes that tenant's own values of its column (all of them for a list, the first
 * otherwise), so the governed answers are not empty by construction.
 */
function userFor(dataset: Dataset, route: TableRoute, schema: string, values: Map<string, ReferenceValue[]>): EmbedUser {
  const attributes: Record<string, AttributeValue> = { [route.attribute]: schema };
  for (const use of policyAttributeColumns(dataset.rowLevelSecurity)) {
    const own = (values.get(use.column) ?? []).filter((v): v is string | number => typeof v === 'string' || typeof v === 'number');
    if (use.list) attributes[use.attribute] = own;
    else if (own[0] !== undefined) attributes[use.attribute] = own[0];
  }
  return { distinctId: `verify-isolation-${schema}`, role: 'explorer', attributes };
}

function claimsFor(user: EmbedUser): EmbedTokenClaims {
  const now = Math.floor(Date.now() / 1000);
  return { iss: 'perch', aud: 'perch-embed', sub: user.distinctId, jti: `verify-${user.distinctId}`, iat: now, nbf: now, exp: now + 3600, env: 'test', user, scope: { dashboards: [], assistant: false }, kid_api: 'verify-isolation' };
}
