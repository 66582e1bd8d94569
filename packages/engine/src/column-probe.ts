/**
 * The one query Perch sends that no user asked for: at startup, it reads the types of the columns
 * that row-level-security policies compare, from the warehouse's own catalog (DESIGN.md section 3).
 */
import { sealGoverned, type DialectName, type GovernedSql } from './governed.js';
import { compilerFor } from './compiler/index.js';
import { col, FALSE } from './nodes.js';
import { sourceOf } from './secure-plan.js';
import { referenceRoute } from './route.js';
import type { Dataset } from './model/types.js';

/**
 * `SELECT <columns> FROM <source> WHERE FALSE`: the result carries each column's type and never a
 * row. That is why it may be sealed as governed without a policy: with `WHERE FALSE` there is no
 * row for a policy to filter, and the only input is the model itself (no user, no attribute).
 *
 * @example
 * ```ts
 * const probe = compileColumnProbe(model.datasets.get('orders')!, ['customer_id'], 'duckdb');
 * const { columns } = await connector.execute(probe); // [{ name: 'customer_id', type: 'string' }]
 * ```
 */
export function compileColumnProbe(dataset: Dataset, columns: readonly string[], dialect: DialectName): GovernedSql {
  // A routed dataset is probed in the model's reference schema (database): types are read from
  // one tenant-shaped schema chosen by the operator, never from a tenant picked at random.
  const route = 'table' in dataset.source && dataset.source.route ? referenceRoute(dataset.source.route) : undefined;
  const node = Object.freeze({
    kind: 'select' as const,
    distinct: false,
    from: sourceOf(dataset, route),
    alias: dataset.name,
    joins: Object.freeze([]),
    projections: Object.freeze(columns.map((column) => Object.freeze({ expr: col(dataset.name, column), alias: column }))),
    where: FALSE,
    groupBy: Object.freeze([]),
    having: undefined,
    orderBy: Object.freeze([]),
    limit: undefined,
    offset: undefined,
  });
  const { sql, parameters } = compilerFor(dialect).compile(node);
  return sealGoverned({ dialect, sql, parameters, policiesApplied: [], ...(route ? { route } : {}) });
}
