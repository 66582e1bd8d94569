/**
 * The source of a dataset as the engine uses it: a table (possibly routed to a tenant's schema or
 * database by a token attribute) or a read-only SQL source.
 */
import type { DatasetInput, RouteInput } from './schema.js';
import type { DatasetSource, TableRoute } from './types.js';
import { routePatternProblem } from './route-pattern.js';

type Report = (path: string, message: string) => void;

const utf8 = new TextEncoder();

/**
 * The frozen source of a dataset, reporting a route's unusable pattern or reference.
 *
 * @example
 * ```ts
 * buildSource({ table: 'orders', schema: { attribute: 'tenantSchema', pattern: '^tenant_[a-z]+$', reference: 'tenant_template' } }, report)
 * // { table: 'orders', route: { kind: 'schema', attribute: 'tenantSchema', … } }
 * ```
 */
export function buildSource(input: DatasetInput['source'], report: Report): DatasetSource {
  if ('sql' in input) return Object.freeze({ sql: input.sql });
  const kind = input.schema ? 'schema' : input.database ? 'database' : undefined;
  const routeInput = input.schema ?? input.database;
  if (!kind || !routeInput) return Object.freeze({ table: input.table });
  return Object.freeze({ table: input.table, route: buildRoute(kind, routeInput, (path, message) => report(`source.${kind}.${path}`, message)) });
}

function buildRoute(kind: TableRoute['kind'], input: RouteInput, report: Report): TableRoute {
  const problem = routePatternProblem(input.pattern);
  if (problem) report('pattern', problem);
  // The reference is quoted like any identifier, so only what no quoting can carry is refused here;
  // its existence is the warehouse's to confirm when the column probe runs at startup.
  if (input.reference.includes('\u0000') || utf8.encode(input.reference).length > 63) report('reference', 'must be an identifier of at most 63 bytes');
  return Object.freeze({ kind, attribute: input.attribute, pattern: input.pattern, reference: input.reference });
}

function routeOf(source: DatasetInput['source']): { kind: TableRoute['kind']; attribute: string } | undefined {
  if ('sql' in source) return undefined;
  if (source.schema) return { kind: 'schema', attribute: source.schema.attribute };
  if (source.database) return { kind: 'database', attribute: source.database.attribute };
  return undefined;
}

/**
 * Why a join between these two sources cannot be routed, or `undefined`.
 *
 * - Two routed datasets must route the same way by the same attribute, so one query reads one
 *   tenant: a join across two tenants' schemas could never be right.
 * - A database-routed dataset joins only datasets routed to the same database: a statement runs
 *   on one database's connection, where a shared table may not exist (or, worse, a tenant's copy
 *   of it would be read as if shared).
 * - A schema-routed dataset may join a shared (unrouted) one and the other way round; the shared
 *   one still has its own policy or an explicit `none`, as every dataset does.
 */
export function routeJoinProblem(from: DatasetInput['source'], to: DatasetInput['source']): string | undefined {
  const a = routeOf(from);
  const b = routeOf(to);
  if (!a && !b) return undefined;
  if (a && b) return a.kind === b.kind && a.attribute === b.attribute ? undefined : 'a join between routed datasets needs the same route (schema or database) and the same attribute';
  if (a?.kind === 'database' || b?.kind === 'database') return 'a dataset routed to a tenant database joins only datasets routed to that database';
  return undefined;
}
