/**
 * The types of the columns that row-level-security policies compare (DESIGN.md section 3).
 *
 * A comparison happens in the column's type, byte-exact: Perch binds an attribute only when its
 * JSON type fits the column, and never casts the column side. A cast of the column widens a
 * match: a text tenant column compared with the number 42 as BIGINT matches '42', '042', ' 42'
 * and '+42'. So every policy column's type must be known before the first query: from a
 * dimension of the same dataset over that column (at parse time), and from the warehouse's
 * catalog at startup, which is authoritative and must agree with the model.
 */
import { ModelValidationError, type ModelIssue } from './model-error.js';
import type { Dataset, DimensionType, Model, PolicyNode } from './types.js';
import type { ModelLiteral } from './schema.js';

/** Column name → type, for one dataset's source, as the warehouse reports it. */
export type SourceColumnTypes = ReadonlyMap<string, DimensionType>;

/** An ISO 8601 date or date-time, as a time-typed policy column accepts. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Whether one scalar (an attribute value or a model literal) fits a column type. A number fits a
 * numeric column only, a string a text column only: `"42"` never meets an integer column and `42`
 * never meets a text one. A time column takes an ISO 8601 string, bound as a timestamp.
 *
 * @example
 * ```ts
 * scalarFitsColumn(42, 'string') // false
 * scalarFitsColumn('42', 'string') // true
 * ```
 */
export function scalarFitsColumn(value: unknown, type: DimensionType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'time':
      return typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
  }
}

/** What is wrong with a model literal compared with a column of `type`, or undefined. */
export function literalTypeProblem(value: ModelLiteral | readonly ModelLiteral[], type: DimensionType): string | undefined {
  const items: readonly unknown[] = Array.isArray(value) ? value : [value];
  const bad = items.find((item) => !scalarFitsColumn(item, type));
  return bad === undefined ? undefined : `${JSON.stringify(bad)} does not fit the column's type (${type}); values are compared in the column's type, never cast`;
}

/** The distinct columns that a dataset's policy compares, in tree order. */
export function policyColumns(dataset: Dataset): string[] {
  const columns = new Set<string>();
  const visit = (node: PolicyNode): void => {
    if (node.kind === 'column') columns.add(node.column);
    else if (node.kind !== 'user') node.children.forEach(visit);
  };
  if (dataset.rowLevelSecurity !== 'none') visit(dataset.rowLevelSecurity);
  return [...columns];
}

/**
 * The model with every policy column typed from the warehouse's catalog.
 *
 * @param catalog dataset name → the types of its source's policy columns. A dataset with a policy
 *   must be present; a column missing from its map does not exist in the warehouse.
 * @example
 * ```ts
 * const typed = withColumnTypes(model, new Map([['orders', new Map([['customer_id', 'string']])]]));
 * ```
 * @throws ModelValidationError naming file and path for a policy column that does not exist, whose
 *   catalog type disagrees with the dimension declared over it, or whose model literal does not fit.
 */
export function withColumnTypes(model: Model, catalog: ReadonlyMap<string, SourceColumnTypes>): Model {
  const issues: ModelIssue[] = [];
  const datasets = new Map<string, Dataset>();
  for (const [name, dataset] of model.datasets) {
    if (dataset.rowLevelSecurity === 'none') {
      datasets.set(name, dataset);
      continue;
    }
    const types = catalog.get(name) ?? new Map<string, DimensionType>();
    const report = (path: string, message: string) => issues.push({ file: dataset.file, path: `datasets.${name}.rowLevelSecurity${path}`, message });
    const policy = typePolicy(dataset.rowLevelSecurity, types, sourceName(dataset), '', report);
    datasets.set(name, Object.freeze({ ...dataset, rowLevelSecurity: policy }));
  }
  if (issues.length > 0) throw new ModelValidationError(issues);
  return Object.freeze({ ...model, datasets });
}

function sourceName(dataset: Dataset): string {
  if (!('table' in dataset.source)) return 'the SQL source';
  // A routed table is probed in its reference schema (database): name it, since that is where to look.
  const route = dataset.source.route;
  return route ? `table "${dataset.source.table}" of reference ${route.kind} "${route.reference}"` : `table "${dataset.source.table}"`;
}

function typePolicy(node: PolicyNode, types: SourceColumnTypes, source: string, path: string, report: (path: string, message: string) => void): PolicyNode {
  if (node.kind === 'user') return node;
  if (node.kind !== 'column') {
    const children = node.children.map((child, i) => typePolicy(child, types, source, `${path}.${node.kind}[${i}]`, report));
    return Object.freeze({ ...node, children: Object.freeze(children) });
  }
  const actual = types.get(node.column);
  if (actual === undefined) {
    report(`${path}.column`, `column "${node.column}" does not exist in ${source}`);
    return node;
  }
  if (node.columnType !== undefined && node.columnType !== actual) {
    report(`${path}.column`, `column "${node.column}" is ${actual} in the warehouse, but a dimension over it declares ${node.columnType}`);
  }
  if ('value' in node.operand) {
    const problem = literalTypeProblem(node.operand.value, actual);
    if (problem) report(`${path}.${node.operator}.value`, problem);
  }
  return Object.freeze({ ...node, columnType: actual });
}
