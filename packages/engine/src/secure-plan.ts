/**
 * The RLS transform: the only constructor of `SelectNode`s from client plans. It ANDs the base
 * dataset's policy around the whole client predicate (client filters stay one parenthesised
 * group, so an OR in them cannot escape the policy) and puts each joined dataset's policy into
 * that join's ON clause, which keeps LEFT joins LEFT (a WHERE on a joined column would silently
 * turn them into inner joins: Cube #11574).
 */
import { PerchError, type EmbedUser } from '@perch/protocol';
import { and, col, compare, type Expr, type JoinNode, type Projection, type SelectNode, type SourceNode } from './nodes.js';
import { rlsPredicate } from './rls.js';
import { bindRoute } from './route.js';
import type { DialectName, QueryRoute } from './governed.js';
import type { Dataset, Model } from './model/types.js';

export interface SecuredSource {
  readonly from: SourceNode;
  readonly alias: string;
  readonly joins: readonly JoinNode[];
  /** The base dataset's RLS predicate, to AND with the client's predicate. */
  readonly rls: Expr;
  readonly policyIds: readonly string[];
  /** The tenant route every routed table of this query was bound to, if any. */
  readonly route: QueryRoute | undefined;
  /** The attribute `route` was bound from. */
  readonly routeAttribute: string | undefined;
}

/**
 * The FROM item of a dataset. A routed table takes `route` (bound from the user's attribute, or
 * the model's reference for the column probe): a schema qualifies the table name, a database
 * leaves it bare since the statement runs on that database's connection.
 */
export function sourceOf(dataset: Dataset, route?: QueryRoute): SourceNode {
  if ('sql' in dataset.source) return Object.freeze({ kind: 'sql', sql: dataset.source.sql });
  if (dataset.source.route && !route) throw new PerchError('internal_error', { detail: `routed dataset "${dataset.name}" has no bound route` });
  if (route && 'schema' in route) return Object.freeze({ kind: 'table', name: dataset.source.table, schema: route.schema });
  return Object.freeze({ kind: 'table', name: dataset.source.table });
}

/** The dataset's route bound for `user`, or undefined for a dataset that is not routed. */
function routeFor(dataset: Dataset, user: EmbedUser, dialect: DialectName): QueryRoute | undefined {
  return 'table' in dataset.source && dataset.source.route ? bindRoute(dataset.source.route, user, dialect) : undefined;
}

function routeAttributeOf(dataset: Dataset): string | undefined {
  return 'table' in dataset.source ? dataset.source.route?.attribute : undefined;
}

/**
 * FROM and JOINs of a dataset with row-level security and tenant routing applied for `user`.
 * Model validation allows only joins whose routes agree (same kind and attribute), so one query
 * has at most one route; two different ones would be a bug, refused rather than run.
 * @throws PerchError `rls_attribute_missing` / `rls_attribute_invalid` / `tenant_route_invalid`.
 */
export function secureSource(model: Model, dataset: Dataset, joinNames: readonly string[], user: EmbedUser, dialect: DialectName): SecuredSource {
  const baseRoute = routeFor(dataset, user, dialect);
  let route = baseRoute;
  let routeAttribute = routeAttributeOf(dataset);
  const base = rlsPredicate(dataset, dataset.name, user);
  const policyIds = [...base.policyIds];
  const joins = joinNames.map((name): JoinNode => {
    const join = dataset.joins.get(name);
    const target = join && model.datasets.get(join.dataset);
    if (!join || !target) throw new Error(`join ${name} is not in the model`);
    const targetRoute = routeFor(target, user, dialect);
    if (targetRoute) {
      if (route && JSON.stringify(route) !== JSON.stringify(targetRoute)) throw new PerchError('internal_error', { detail: `join ${name} crosses tenant routes` });
      route = targetRoute;
      routeAttribute = routeAttributeOf(target);
    }
    const joined = rlsPredicate(target, join.name, user);
    policyIds.push(...joined.policyIds);
    const keys = join.on.map(([left, right]) => compare('=', col(dataset.name, left), col(join.name, right)));
    return Object.freeze({ source: sourceOf(target, targetRoute), alias: join.name, on: and([...keys, joined.predicate]) });
  });
  return Object.freeze({ from: sourceOf(dataset, baseRoute), alias: dataset.name, joins: Object.freeze(joins), rls: base.predicate, policyIds: Object.freeze(policyIds), route, routeAttribute: route ? routeAttribute : undefined });
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
