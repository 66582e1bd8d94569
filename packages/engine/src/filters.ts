/**
 * Client filters → predicate nodes. Every value becomes a `Param`; the member decides the column.
 * Leaves on dimensions go to WHERE, leaves on measures to HAVING; a single filter tree may not mix
 * both, because AND/OR across WHERE and HAVING has no faithful SQL form.
 */
import { PerchError, type Filter, type FilterValue, type MemberFilter } from '@perch/protocol';
import { and, compare, inList, or, param, type Expr, type ScalarValue } from './nodes.js';
import { utcTimestampText, zonedToUtc } from './dates.js';
import type { ResolvedMember } from './access.js';

export interface FilterContext {
  /** Resolve and authorise a member (throws `unknown_member` / `member_forbidden`). */
  resolve(name: string, path: string): ResolvedMember;
  /** The SQL expression of a resolved member. */
  expressionOf(member: ResolvedMember): Expr;
  timeZone: string;
}

export interface CompiledFilters {
  where: Expr[];
  having: Expr[];
}

export function compileFilters(filters: readonly Filter[], ctx: FilterContext): CompiledFilters {
  const out: CompiledFilters = { where: [], having: [] };
  filters.forEach((filter, index) => {
    const path = `filters[${index}]`;
    const placement = new Set<'where' | 'having'>();
    const expr = filterToExpr(filter, path, ctx, placement);
    if (placement.size > 1) throw new PerchError('invalid_request', { path, message: `${path}: a filter group cannot mix dimensions and measures` });
    (placement.has('having') ? out.having : out.where).push(expr);
  });
  return out;
}

function filterToExpr(filter: Filter, path: string, ctx: FilterContext, placement: Set<'where' | 'having'>): Expr {
  if ('and' in filter) return and(filter.and.map((f, i) => filterToExpr(f, `${path}.and[${i}]`, ctx, placement)));
  if ('or' in filter) return or(filter.or.map((f, i) => filterToExpr(f, `${path}.or[${i}]`, ctx, placement)));
  const member = ctx.resolve(filter.member, `${path}.member`);
  placement.add(member.kind === 'measure' ? 'having' : 'where');
  return leafToExpr(filter, member, path, ctx);
}

const ARITY: Record<MemberFilter['operator'], [number, number]> = {
  equals: [1, 1], notEquals: [1, 1], gt: [1, 1], gte: [1, 1], lt: [1, 1], lte: [1, 1],
  in: [1, 1000], notIn: [1, 1000], between: [2, 2], contains: [1, 100], set: [0, 0], notSet: [0, 0],
};

function leafToExpr(filter: MemberFilter, member: ResolvedMember, path: string, ctx: FilterContext): Expr {
  const values = filter.values ?? [];
  const [min, max] = ARITY[filter.operator];
  if (values.length < min || values.length > max) {
    const expected = min === max ? `exactly ${min}` : `${min} to ${max}`;
    throw new PerchError('invalid_filter_value', { path: `${path}.values`, message: `${path}.values: "${filter.operator}" takes ${expected} value(s)` });
  }
  const type = member.kind === 'measure' ? 'number' : member.dimension.type;
  if (filter.operator === 'contains' && type !== 'string') {
    throw new PerchError('invalid_filter_value', { path: `${path}.operator`, message: `${path}.operator: "contains" applies to string members only` });
  }
  const bound = values.map((value, i) => bindValue(value, type, `${path}.values[${i}]`, ctx.timeZone));
  const cast = type === 'time' ? 'timestamp' : undefined;
  const expr = ctx.expressionOf(member);
  const p = (i: number) => param(bound[i] as ScalarValue, cast);
  switch (filter.operator) {
    case 'equals': return compare('=', expr, p(0));
    case 'notEquals': return compare('<>', expr, p(0));
    case 'gt': return compare('>', expr, p(0));
    case 'gte': return compare('>=', expr, p(0));
    case 'lt': return compare('<', expr, p(0));
    case 'lte': return compare('<=', expr, p(0));
    case 'in': return inList(expr, bound, false, cast);
    case 'notIn': return inList(expr, bound, true, cast);
    case 'between': return and([compare('>=', expr, p(0)), compare('<=', expr, p(1))]);
    case 'contains': return or(bound.map((v) => Object.freeze({ kind: 'ilike' as const, expr, pattern: param(`%${escapeLike(String(v))}%`) })));
    case 'set': return Object.freeze({ kind: 'isNull' as const, expr, negated: true });
    case 'notSet': return Object.freeze({ kind: 'isNull' as const, expr, negated: false });
  }
}

/** Escape LIKE wildcards so `contains` matches the text literally (the compiler emits `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function bindValue(value: FilterValue, type: string, path: string, timeZone: string): ScalarValue {
  const mismatch = () => new PerchError('invalid_filter_value', { path, message: `${path}: expected a ${type}` });
  switch (type) {
    case 'string':
      if (typeof value !== 'string') throw mismatch();
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch();
      return value;
    default: {
      // time: a local ISO date or date-time in the query's zone, bound as a UTC timestamp.
      const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value) : null;
      if (!m) throw new PerchError('invalid_filter_value', { path, message: `${path}: expected an ISO date or date-time` });
      const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
      const check = new Date(Date.UTC(year, month - 1, day));
      if (year < 1000 || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
        throw new PerchError('invalid_filter_value', { path, message: `${path}: not a valid date` });
      }
      return utcTimestampText(zonedToUtc({ year, month, day }, timeZone, hour, minute, second));
    }
  }
}

