/**
 * Semantic query → logical plan. The logical plan holds only the client's part of a query; it has
 * no WHERE clause of its own. The RLS transform (`secure-plan.ts`) is the only way to turn it into
 * a `SelectNode`, so no plan can reach a compiler without its policies.
 */
import { PerchError, QUERY_LIMITS, type EmbedUser, type SemanticQuery } from '@perch/protocol';
import { and, col, type Expr, type Projection, type OrderItem } from './nodes.js';
import { lookupMember, memberVisible, type ResolvedMember } from './access.js';
import { compileFilters } from './filters.js';
import { canonicalTimeZone, resolveDateRange, utcTimestampText } from './dates.js';
import { param, compare } from './nodes.js';
import type { Dataset, Measure, Model } from './model/types.js';
import type { MeasureExpression } from './model/expression.js';

export interface EngineOptions {
  /** The workspace's maximum row limit; larger requested limits are clamped to it. */
  maxLimit: number;
  /** Limit when the query gives none (default 1000). */
  defaultLimit?: number;
  /** The instant relative date ranges are resolved against (default: the current time). */
  now?: Date;
}

export interface ColumnInfo {
  readonly name: string;
  readonly type: 'string' | 'number' | 'boolean' | 'time';
  readonly kind: 'dimension' | 'measure' | 'time';
}

export interface LogicalPlan {
  readonly dataset: Dataset;
  /** Joins the query uses, by name; only these are joined (and secured). */
  readonly joins: readonly string[];
  readonly projections: readonly Projection[];
  readonly measureProjections: readonly Projection[];
  readonly clientWhere: Expr;
  readonly having: Expr | undefined;
  readonly groupBy: readonly number[];
  readonly orderBy: readonly OrderItem[];
  readonly limit: number;
  readonly offset: number | undefined;
  readonly columns: readonly ColumnInfo[];
  readonly members: readonly string[];
}

export function findDataset(model: Model, name: string, path = 'dataset'): Dataset {
  const dataset = model.datasets.get(name);
  if (!dataset) throw new PerchError('unknown_dataset', { path, message: `${path}: unknown dataset` });
  return dataset;
}

/** A resolver that checks a member exists and that this user may see it. */
export function memberResolver(model: Model, dataset: Dataset, user: EmbedUser, joinsUsed: Set<string>) {
  return (name: string, path: string): ResolvedMember => {
    const member = lookupMember(model.datasets, dataset, name);
    if (!member) throw new PerchError('unknown_member', { path, message: `${path}: unknown member` });
    const local = member.kind === 'dimension' ? member.dimension.name : member.measure.name;
    // A member of a joined dataset obeys that dataset's member rules.
    if (!memberVisible(member.owner, local, user)) throw new PerchError('member_forbidden', { path, message: `${path}: this member is not available to you` });
    if (member.join) joinsUsed.add(member.join);
    return member;
  };
}

export function memberExpression(member: ResolvedMember): Expr {
  if (member.kind === 'dimension') return col(member.alias, member.dimension.column);
  return measureExpression(member.owner, member.measure, member.alias);
}

function measureExpression(dataset: Dataset, measure: Measure, alias: string): Expr {
  if (measure.kind === 'aggregate') {
    return Object.freeze({ kind: 'aggregate', fn: measure.aggregation, arg: measure.column === '*' ? '*' : col(alias, measure.column) });
  }
  const convert = (node: MeasureExpression): Expr => {
    switch (node.kind) {
      case 'number':
        return Object.freeze({ kind: 'number', value: node.value });
      case 'negate':
        return Object.freeze({ kind: 'negate', expr: convert(node.operand) });
      case 'arithmetic':
        return Object.freeze({ kind: 'arithmetic', op: node.op, left: convert(node.left), right: convert(node.right) });
      case 'ref': {
        const ref = dataset.measures.get(node.measure);
        if (!ref) throw new PerchError('internal_error', { detail: `measure ${node.measure} vanished from ${dataset.name}` });
        return measureExpression(dataset, ref, alias);
      }
    }
  };
  return convert(measure.expression);
}

/**
 * Plan a validated semantic query for a user.
 *
 * @throws PerchError with codes `unknown_dataset`, `unknown_member`, `member_forbidden`,
 *   `unknown_granularity`, `invalid_filter_value`, `invalid_limit`, `invalid_date_range`, … and a path.
 */
export function planQuery(model: Model, query: SemanticQuery, user: EmbedUser, options: EngineOptions): LogicalPlan {
  const dataset = findDataset(model, query.dataset);
  const joinsUsed = new Set<string>();
  const resolve = memberResolver(model, dataset, user, joinsUsed);
  const timeZone = canonicalTimeZone(query.timezone ?? 'UTC');

  const projections: Projection[] = [];
  const columns: ColumnInfo[] = [];
  const members: string[] = [];
  const selected = new Map<string, string>(); // member name (or alias) → projection alias

  query.dimensions.forEach((name, i) => {
    const member = resolve(name, `dimensions[${i}]`);
    if (member.kind !== 'dimension') throw new PerchError('unknown_member', { path: `dimensions[${i}]`, message: `dimensions[${i}]: "${name}" is a measure` });
    if (selected.has(name)) throw new PerchError('invalid_request', { path: `dimensions[${i}]`, message: `dimensions[${i}]: selected twice` });
    projections.push(Object.freeze({ expr: memberExpression(member), alias: name }));
    columns.push(Object.freeze({ name, type: member.dimension.type, kind: 'dimension' }));
    selected.set(name, name);
    members.push(name);
  });

  const timeFilters: Expr[] = [];
  if (query.timeDimension) {
    const td = query.timeDimension;
    const member = resolve(td.member, 'timeDimension.member');
    if (member.kind !== 'dimension' || member.dimension.type !== 'time') {
      throw new PerchError('unknown_member', { path: 'timeDimension.member', message: 'timeDimension.member: not a time dimension' });
    }
    const column = memberExpression(member);
    members.push(td.member);
    if (td.granularity) {
      const alias = `${td.member}.${td.granularity}`;
      const unit = td.granularity as 'day' | 'week' | 'month' | 'quarter' | 'year';
      projections.push(Object.freeze({ expr: Object.freeze({ kind: 'dateTrunc', unit, expr: column, timezone: param(timeZone) }), alias }));
      columns.push(Object.freeze({ name: alias, type: 'time', kind: 'time' }));
      selected.set(alias, alias);
      if (!selected.has(td.member)) selected.set(td.member, alias);
    }
    if (td.dateRange !== undefined) {
      const range = resolveDateRange(td.dateRange, timeZone, options.now ?? new Date());
      // Half-open [start, end) against the raw column, so an index on it stays usable.
      timeFilters.push(compare('>=', column, param(utcTimestampText(range.start), 'timestamp')), compare('<', column, param(utcTimestampText(range.end), 'timestamp')));
    }
  }

  const groupBy = projections.map((_, i) => i + 1);
  const measureProjections: Projection[] = [];
  query.measures.forEach((name, i) => {
    const member = resolve(name, `measures[${i}]`);
    if (member.kind !== 'measure') throw new PerchError('unknown_member', { path: `measures[${i}]`, message: `measures[${i}]: "${name}" is a dimension` });
    if (selected.has(name)) throw new PerchError('invalid_request', { path: `measures[${i}]`, message: `measures[${i}]: selected twice` });
    const projection = Object.freeze({ expr: memberExpression(member), alias: name });
    projections.push(projection);
    measureProjections.push(projection);
    columns.push(Object.freeze({ name, type: 'number', kind: 'measure' }));
    selected.set(name, name);
    members.push(name);
  });
  if (projections.length === 0) throw new PerchError('invalid_request', { path: 'measures', message: 'measures: select at least one measure, dimension or time granularity' });

  const filters = compileFilters(query.filters, { resolve, expressionOf: memberExpression, timeZone });
  for (const filter of query.filters) collectFilterMembers(filter, members);

  const orderBy: OrderItem[] = query.order.map((item, i) => {
    const path = `order[${i}].member`;
    resolve(item.member, path);
    const alias = selected.get(item.member);
    if (!alias) throw new PerchError('invalid_request', { path, message: `${path}: order only by a selected member` });
    return Object.freeze({ alias, direction: item.direction });
  });
  if (orderBy.length === 0 && query.timeDimension?.granularity) orderBy.push(Object.freeze({ alias: `${query.timeDimension.member}.${query.timeDimension.granularity}`, direction: 'asc' }));

  return Object.freeze({
    dataset,
    joins: Object.freeze([...dataset.joins.keys()].filter((j) => joinsUsed.has(j))),
    projections: Object.freeze(projections),
    measureProjections: Object.freeze(measureProjections),
    clientWhere: and([...timeFilters, ...filters.where]),
    having: filters.having.length > 0 ? and(filters.having) : undefined,
    groupBy: measureProjections.length > 0 || groupBy.length > 0 ? Object.freeze(groupBy) : Object.freeze([]),
    orderBy: Object.freeze(orderBy),
    limit: resolveLimit(query.limit, options),
    offset: query.offset,
    columns: Object.freeze(columns),
    members: Object.freeze([...new Set(members)]),
  });
}

/**
 * A limit above the workspace maximum is clamped to it (DESIGN.md section 4). Negative limits,
 * and limits beyond any sane maximum, are refused as `invalid_limit`.
 */
export function resolveLimit(limit: number | undefined, options: EngineOptions): number {
  const max = options.maxLimit;
  if (limit === undefined) return Math.min(options.defaultLimit ?? QUERY_LIMITS.defaultLimit, max);
  if (limit < 0 || limit > Math.max(max, QUERY_LIMITS.maxLimit)) {
    throw new PerchError('invalid_limit', { path: 'limit', message: `limit: must be between 0 and ${Math.max(max, QUERY_LIMITS.maxLimit)}` });
  }
  return Math.min(limit, max);
}

function collectFilterMembers(filter: SemanticQuery['filters'][number], into: string[]): void {
  if ('and' in filter) filter.and.forEach((f) => collectFilterMembers(f, into));
  else if ('or' in filter) filter.or.forEach((f) => collectFilterMembers(f, into));
  else into.push(filter.member);
}
