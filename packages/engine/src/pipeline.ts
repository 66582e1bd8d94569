/**
 * The governed pipeline: parse → plan → RLS transform → compile → seal. These two functions are
 * the only way SQL leaves the engine, and both run the RLS transform unconditionally.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, PerchError, type EmbedUser, type SemanticQuery } from '@perch/protocol';
import { sealGoverned, type DialectName, type GovernedSql } from './governed.js';
import { parseSemanticQuery } from './query-input.js';
import { findDataset, memberExpression, memberResolver, planQuery, resolveLimit, type ColumnInfo, type EngineOptions } from './planner.js';
import { secureSource, securedSelect, type SecuredSource } from './secure-plan.js';
import { compilerFor } from './compiler/index.js';
import { escapeLike } from './filters.js';
import { param, TRUE, type SelectNode } from './nodes.js';
import type { Model } from './model/types.js';

export interface CompiledQuery {
  readonly main: GovernedSql;
  /** The same filters and RLS with no dimensions, when the query asked for `totals`. */
  readonly totals?: GovernedSql;
  readonly columns: readonly ColumnInfo[];
  /** The query after validation and defaults. */
  readonly query: SemanticQuery;
  readonly dataset: string;
  /** Every member the query uses (selected, filtered, ordered). */
  readonly members: readonly string[];
  /** SHA-256 (hex) of the canonical filters and date range, for audit and cache grouping. */
  readonly filterFingerprint: string;
}

function seal(dialect: DialectName, node: SelectNode, source: SecuredSource): GovernedSql {
  const { sql, parameters } = compilerFor(dialect).compile(node);
  const route = source.route ? { route: source.route, ...(source.routeAttribute ? { routeAttribute: source.routeAttribute } : {}) } : {};
  return sealGoverned({ dialect, sql, parameters, policiesApplied: source.policyIds, ...route });
}

/**
 * Compile a client's semantic query into governed SQL for a user.
 *
 * @example
 * ```ts
 * const compiled = compileQuery(model, { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] },
 *   { distinctId: 'u1', role: 'viewer', attributes: { customerId: 'acme', department: 'sales' } },
 *   'duckdb', { maxLimit: 10_000 });
 * await connector.execute(compiled.main);
 * ```
 * @throws PerchError with a stable code and path for every invalid input, and
 *   `rls_attribute_missing` / `rls_attribute_invalid` / `member_forbidden` for access problems.
 */
export function compileQuery(model: Model, query: unknown, user: EmbedUser, dialect: DialectName, options: EngineOptions): CompiledQuery {
  const parsed = parseSemanticQuery(query);
  const plan = planQuery(model, parsed, user, options);
  const source = secureSource(model, plan.dataset, plan.joins, user, dialect);
  const main = securedSelect(source, {
    projections: plan.projections,
    clientWhere: plan.clientWhere,
    having: plan.having,
    groupBy: plan.groupBy,
    orderBy: plan.orderBy,
    limit: plan.limit,
    offset: plan.offset,
  });
  let totals: GovernedSql | undefined;
  if (parsed.totals && plan.measureProjections.length > 0) {
    // Totals keep WHERE (RLS + filters) and drop grouping, HAVING, order and paging.
    totals = seal(dialect, securedSelect(source, { projections: plan.measureProjections, clientWhere: plan.clientWhere }), source);
  }
  return Object.freeze({
    main: seal(dialect, main, source),
    ...(totals ? { totals } : {}),
    columns: plan.columns,
    query: parsed,
    dataset: plan.dataset.name,
    members: plan.members,
    filterFingerprint: fingerprint({ filters: parsed.filters, dateRange: parsed.timeDimension?.dateRange ?? null }),
  });
}

export interface DistinctValuesRequest {
  dataset: string;
  member: string;
  /** Case-insensitive prefix to match (string dimensions only). */
  search?: string;
  limit?: number;
}

/**
 * Distinct values of a dimension for a filter widget, through the same RLS path as queries.
 *
 * @example
 * ```ts
 * compileDistinctValues(model, { dataset: 'orders', member: 'channel', search: 'we' }, user, 'postgres', { maxLimit: 1000 })
 * ```
 */
export function compileDistinctValues(
  model: Model,
  request: DistinctValuesRequest,
  user: EmbedUser,
  dialect: DialectName,
  options: EngineOptions,
): { main: GovernedSql; columns: readonly ColumnInfo[] } {
  if (typeof request !== 'object' || request === null) throw new PerchError('invalid_request', { message: 'a distinct-values request is an object' });
  if (typeof request.dataset !== 'string') throw new PerchError('unknown_dataset', { path: 'dataset', message: 'dataset: unknown dataset' });
  if (typeof request.member !== 'string') throw new PerchError('unknown_member', { path: 'member', message: 'member: unknown member' });
  const dataset = findDataset(model, request.dataset);
  const joinsUsed = new Set<string>();
  const member = memberResolver(model, dataset, user, joinsUsed)(request.member, 'member');
  if (member.kind !== 'dimension') throw new PerchError('unknown_member', { path: 'member', message: 'member: distinct values exist for dimensions only' });
  if (request.limit !== undefined && !Number.isInteger(request.limit)) throw new PerchError('invalid_limit', { path: 'limit', message: 'limit: must be an integer' });
  const expr = memberExpression(member);
  let clientWhere = TRUE as Parameters<typeof securedSelect>[1]['clientWhere'];
  if (request.search !== undefined && request.search !== '') {
    if (typeof request.search !== 'string' || request.search.length > 256) throw new PerchError('invalid_filter_value', { path: 'search', message: 'search: at most 256 characters of text' });
    if (member.dimension.type !== 'string') throw new PerchError('invalid_filter_value', { path: 'search', message: 'search: applies to string members only' });
    clientWhere = Object.freeze({ kind: 'ilike', expr, pattern: param(`${escapeLike(request.search)}%`) });
  }
  const source = secureSource(model, dataset, [...joinsUsed], user, dialect);
  const node = securedSelect(source, {
    distinct: true,
    projections: [Object.freeze({ expr, alias: request.member })],
    clientWhere,
    orderBy: [Object.freeze({ alias: request.member, direction: 'asc' as const })],
    limit: resolveLimit(request.limit, options),
  });
  return Object.freeze({ main: seal(dialect, node, source), columns: Object.freeze([Object.freeze({ name: request.member, type: member.dimension.type, kind: 'dimension' as const })]) });
}

/** SHA-256 of a canonical JSON form (object keys sorted). */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

