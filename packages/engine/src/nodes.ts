/**
 * Immutable plan nodes, in the style of Kysely's operation nodes: the planner builds them, the RLS
 * transform wraps them, and a per-dialect compiler turns them into `{sql, parameters}`. Every
 * value lives in a `Param` node, so a compiler can only ever emit it as a placeholder.
 */
import type { Aggregation } from './model/types.js';

export type ScalarValue = string | number | boolean;

export interface ColumnRef { readonly kind: 'column'; readonly table: string; readonly column: string }
/** A bound value. `cast` makes its SQL type explicit where inference would be ambiguous. */
export interface Param { readonly kind: 'param'; readonly value: ScalarValue; readonly cast?: 'timestamp' }
/** A numeric literal from the model itself (measure expressions), never from a client. */
export interface NumberLiteral { readonly kind: 'number'; readonly value: number }
/** TRUE / FALSE, e.g. a user-only RLS condition decided at plan time. */
export interface Constant { readonly kind: 'constant'; readonly value: boolean }
export interface Comparison { readonly kind: 'compare'; readonly op: '=' | '<>' | '>' | '>=' | '<' | '<='; readonly left: Expr; readonly right: Expr }
export interface InList { readonly kind: 'in'; readonly expr: Expr; readonly values: readonly Param[]; readonly negated: boolean }
export interface IsNull { readonly kind: 'isNull'; readonly expr: Expr; readonly negated: boolean }
export interface ILike { readonly kind: 'ilike'; readonly expr: Expr; readonly pattern: Param }
export interface Logical { readonly kind: 'and' | 'or'; readonly items: readonly Expr[] }
export interface Not { readonly kind: 'not'; readonly expr: Expr }
export interface Arithmetic { readonly kind: 'arithmetic'; readonly op: '+' | '-' | '*' | '/'; readonly left: Expr; readonly right: Expr }
export interface Negate { readonly kind: 'negate'; readonly expr: Expr }
export interface Aggregate { readonly kind: 'aggregate'; readonly fn: Aggregation; readonly arg: Expr | '*' }
/** A calendar bucket of a UTC timestamp column, computed in `timezone`. */
export interface DateTrunc { readonly kind: 'dateTrunc'; readonly unit: 'day' | 'week' | 'month' | 'quarter' | 'year'; readonly expr: Expr; readonly timezone: Param }

export type Expr = ColumnRef | Param | NumberLiteral | Constant | Comparison | InList | IsNull | ILike | Logical | Not | Arithmetic | Negate | Aggregate | DateTrunc;

/** A model table, or a model's read-only SQL source (validated when the model was loaded). */
export type SourceNode =
  /** `schema`: a tenant's schema bound by the route transform (route.ts), quoted as an identifier. */
  | { readonly kind: 'table'; readonly name: string; readonly schema?: string }
  | { readonly kind: 'sql'; readonly sql: string };

export interface JoinNode { readonly source: SourceNode; readonly alias: string; readonly on: Expr }
export interface Projection { readonly expr: Expr; readonly alias: string }
export interface OrderItem { readonly alias: string; readonly direction: 'asc' | 'desc' }

export interface SelectNode {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly from: SourceNode;
  readonly alias: string;
  readonly joins: readonly JoinNode[];
  readonly projections: readonly Projection[];
  readonly where: Expr | undefined;
  /** Positions (1-based) of the projections to group by; empty = no GROUP BY. */
  readonly groupBy: readonly number[];
  readonly having: Expr | undefined;
  readonly orderBy: readonly OrderItem[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
}

const freeze = Object.freeze;

export const col = (table: string, column: string): ColumnRef => freeze({ kind: 'column', table, column });
export const param = (value: ScalarValue, cast?: 'timestamp'): Param => freeze(cast ? { kind: 'param', value, cast } : { kind: 'param', value });
export const TRUE: Constant = freeze({ kind: 'constant', value: true });
export const FALSE: Constant = freeze({ kind: 'constant', value: false });
export const compare = (op: Comparison['op'], left: Expr, right: Expr): Comparison => freeze({ kind: 'compare', op, left, right });
export const not = (expr: Expr): Not => freeze({ kind: 'not', expr });

/** Membership in a list. An empty list matches nothing (`in`) or everything (`notIn`), never "all rows by accident". */
export function inList(expr: Expr, values: readonly ScalarValue[], negated: boolean, cast?: 'timestamp'): Expr {
  if (values.length === 0) return negated ? TRUE : FALSE;
  return freeze({ kind: 'in', expr, values: freeze(values.map((v) => param(v, cast))), negated });
}

/** AND of the items, simplified: TRUE items drop out, one FALSE makes the whole FALSE. */
export function and(items: readonly Expr[]): Expr {
  const kept: Expr[] = [];
  for (const item of items) {
    if (item.kind === 'constant') {
      if (!item.value) return FALSE;
      continue;
    }
    kept.push(item);
  }
  if (kept.length === 0) return TRUE;
  if (kept.length === 1) return kept[0] as Expr;
  return freeze({ kind: 'and', items: freeze(kept) });
}

/** OR of the items, simplified: FALSE items drop out, one TRUE makes the whole TRUE. */
export function or(items: readonly Expr[]): Expr {
  const kept: Expr[] = [];
  for (const item of items) {
    if (item.kind === 'constant') {
      if (item.value) return TRUE;
      continue;
    }
    kept.push(item);
  }
  if (kept.length === 0) return FALSE;
  if (kept.length === 1) return kept[0] as Expr;
  return freeze({ kind: 'or', items: freeze(kept) });
}
