/**
 * The RLS transform: the only constructor of `SelectNode`s from client plans. It ANDs the base
 * dataset's policy around the whole client predicate (client filters stay one parenthesised
 * group, so an OR in them cannot escape the policy) and puts each joined dataset's policy into
 * that join's ON clause, which keeps LEFT joins LEFT (a WHERE on a joined column would silently
 * turn them into inner joins: Cube #11574).
 */
import type { EmbedUser } from '@perch/protocol';
import { and, col, compare, type Expr, type JoinNode, type Projection, type SelectNode, type SourceNode } from './nodes.js';
import { rlsPredicate } from './rls.js';
import type { Dataset, Model } from './model/types.js';

export interface SecuredSource {
  readonly from: SourceNode;
  readonly alias: string;
  readonly joins: readonly JoinNode[];
  /** The base dataset's RLS predicate, to AND with the client's predicate. */
  readonly rls: Expr;
  readonly policyIds: readonly string[];
}

export function sourceOf(dataset: Dataset): SourceNode {
  return 'table' in dataset.source ? Object.freeze({ kind: 'table', name: dataset.source.table }) : Object.freeze({ kind: 'sql', sql: dataset.source.sql });
}

/**
 * FROM and JOINs of a dataset with row-level security applied for `user`.
 * @throws PerchError `rls_attribute_missing` / `rls_attribute_invalid`.
 */
export function secureSource(model: Model, dataset: Dataset, joinNames: readonly string[], user: EmbedUser): SecuredSource {
  const base = rlsPredicate(dataset, dataset.name, user);
  const policyIds = [...base.policyIds];
  const joins = joinNames.map((name): JoinNode => {
    const join = dataset.joins.get(name);
    const target = join && model.datasets.get(join.dataset);
    if (!join || !target) throw new Error(`join ${name} is not in the model`);
    const joined = rlsPredicate(target, join.name, user);
    policyIds.push(...joined.policyIds);
    const keys = join.on.map(([left, right]) => compare('=', col(dataset.name, left), col(join.name, right)));
    return Object.freeze({ source: sourceOf(target), alias: join.name, on: and([...keys, joined.predicate]) });
  });
  return Object.freeze({ from: sourceOf(dataset), alias: dataset.name, joins: Object.freeze(joins), rls: base.predicate, policyIds: Object.freeze(policyIds) });
}

export interface SelectParts {
  readonly distinct?: boolean;
  readonly projections: readonly Projection[];
  readonly clientWhere: Expr;
  readonly having?: Expr | undefined;
  readonly groupBy?: readonly number[];
  readonly orderBy?: SelectNode['orderBy'];
  readonly limit?: number | undefined;
  readonly offset?: number | undefined;
}

/** Build a secured SELECT: `WHERE <rls> AND (<client predicate>)`. */
export function securedSelect(source: SecuredSource, parts: SelectParts): SelectNode {
  return Object.freeze({
    kind: 'select',
    distinct: parts.distinct ?? false,
    from: source.from,
    alias: source.alias,
    joins: source.joins,
    projections: parts.projections,
    where: and([source.rls, parts.clientWhere]),
    groupBy: parts.groupBy ?? [],
    having: parts.having,
    orderBy: parts.orderBy ?? [],
    limit: parts.limit,
    offset: parts.offset,
  });
}
