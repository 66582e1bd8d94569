/**
 * Reference SQL for `perch verify-isolation`, written independently of the engine's planner and
 * compilers: the same aggregate over the raw tables, with the tenant's policy spelled out as a
 * plain predicate. If the governed path and this text ever disagree, one of them is wrong, and an
 * isolation report must say so. It shares only the model's names with the engine.
 */
import type { Dataset, Model, PolicyNode } from '@perch/engine';
import type { EmbedUser } from '@perch/protocol';
import type { ReferenceValue } from './compare.js';

/** A generated governed query, in terms the reference SQL can restate. */
export interface GeneratedQuery {
  readonly dataset: string;
  /** Aggregate measures of the dataset. */
  readonly measures: readonly string[];
  /** `dimension` or `join.dimension`. */
  readonly dimensions: readonly string[];
  readonly filter?: { readonly member: string; readonly value: ReferenceValue };
  readonly totals: boolean;
}

export interface ReferenceQuery {
  readonly sql: string;
  readonly parameters: readonly ReferenceValue[];
}

const BASE = 'ref_base';

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function sourceSql(dataset: Dataset): string {
  return 'table' in dataset.source ? dataset.source.table.split('.').map(quote).join('.') : `(${dataset.source.sql})`;
}

class Binder {
  readonly parameters: ReferenceValue[] = [];
  bind(value: ReferenceValue): string {
    this.parameters.push(value);
    return `$${this.parameters.length}`;
  }
}

const SQL_OPERATORS = { equals: '=', notEquals: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** A user-only condition, decided the plain way. */
function userCondition(node: Extract<PolicyNode, { kind: 'user' }>, user: EmbedUser): boolean {
  const actual = user.attributes[node.attribute];
  const expected = Array.isArray(node.value) ? node.value : [node.value];
  const values = Array.isArray(actual) ? actual : [actual];
  if (node.operator === 'in') return values.some((v) => expected.includes(v as never));
  if (node.operator === 'notIn') return !values.some((v) => expected.includes(v as never));
  if (node.operator === 'equals') return actual === node.value;
  if (node.operator === 'notEquals') return actual !== node.value;
  const [a, b] = [actual as number | string, node.value as number | string];
  if (typeof a !== typeof b) return false;
  return node.operator === 'gt' ? a > b : node.operator === 'gte' ? a >= b : node.operator === 'lt' ? a < b : a <= b;
}

function policySql(node: PolicyNode, alias: string, user: EmbedUser, binder: Binder): string {
  if ('children' in node) return `(${node.children.map((child) => policySql(child, alias, user, binder)).join(node.kind === 'all' ? ' AND ' : ' OR ')})`;
  if (node.kind === 'user') return userCondition(node, user) ? 'TRUE' : 'FALSE';
  const column = `${quote(alias)}.${quote(node.column)}`;
  const value = 'attribute' in node.operand ? user.attributes[node.operand.attribute] : node.operand.value;
  const placeholder = (v: unknown) => (node.columnType === 'time' ? `CAST(${binder.bind(v as ReferenceValue)} AS TIMESTAMP)` : binder.bind(v as ReferenceValue));
  if (node.operator === 'in' || node.operator === 'notIn') {
    const items = value as readonly unknown[];
    if (items.length === 0) return node.operator === 'in' ? 'FALSE' : 'TRUE';
    return `${column} ${node.operator === 'in' ? 'IN' : 'NOT IN'} (${items.map(placeholder).join(', ')})`;
  }
  return `${column} ${SQL_OPERATORS[node.operator]} ${placeholder(value)}`;
}

/** The dataset's policy for `user` over the alias, or TRUE for a public dataset. */
export function policyPredicate(dataset: Dataset, alias: string, user: EmbedUser, binder: Binder): string {
  return dataset.rowLevelSecurity === 'none' ? 'TRUE' : policySql(dataset.rowLevelSecurity, alias, user, binder);
}

function measureSql(dataset: Dataset, name: string): string {
  const measure = dataset.measures.get(name);
  if (!measure || measure.kind !== 'aggregate') throw new Error(`reference SQL covers aggregate measures only (${name})`);
  if (measure.column === '*') return 'COUNT(*)';
  const column = `${quote(BASE)}.${quote(measure.column)}`;
  switch (measure.aggregation) {
    case 'count':
      return `COUNT(${column})`;
    case 'countDistinct':
      return `COUNT(DISTINCT ${column})`;
    case 'sum':
      return `SUM(${column})`;
    case 'avg':
      return `AVG(${column})`;
    case 'min':
      return `MIN(${column})`;
    case 'max':
      return `MAX(${column})`;
  }
}

interface Resolved {
  readonly expr: string;
  readonly join: string | undefined;
}

function dimensionSql(model: Model, dataset: Dataset, member: string): Resolved {
  const dot = member.indexOf('.');
  if (dot < 0) {
    const dimension = dataset.dimensions.get(member);
    if (!dimension) throw new Error(`unknown dimension ${member}`);
    return { expr: `${quote(BASE)}.${quote(dimension.column)}`, join: undefined };
  }
  const joinName = member.slice(0, dot);
  const join = dataset.joins.get(joinName);
  const target = join && model.datasets.get(join.dataset);
  const dimension = target?.dimensions.get(member.slice(dot + 1));
  if (!join || !target || !dimension) throw new Error(`unknown dimension ${member}`);
  return { expr: `${quote(`ref_${joinName}`)}.${quote(dimension.column)}`, join: joinName };
}

function fromClause(model: Model, dataset: Dataset, joins: ReadonlySet<string>, user: EmbedUser, binder: Binder): string {
  const parts = [`FROM ${sourceSql(dataset)} AS ${quote(BASE)}`];
  for (const name of joins) {
    const join = dataset.joins.get(name)!;
    const target = model.datasets.get(join.dataset)!;
    const alias = `ref_${name}`;
    const keys = join.on.map(([left, right]) => `${quote(BASE)}.${quote(left)} = ${quote(alias)}.${quote(right)}`);
    // The joined dataset's own policy belongs to the join condition: a LEFT JOIN stays LEFT.
    parts.push(`LEFT JOIN ${sourceSql(target)} AS ${quote(alias)} ON ${[...keys, policyPredicate(target, alias, user, binder)].join(' AND ')}`);
  }
  return parts.join(' ');
}

/**
 * The reference statement for a generated query: dimensions first, then measures, grouped.
 *
 * @example
 * ```ts
 * referenceQuery(model, { dataset: 'orders', measures: ['orders'], dimensions: ['region'], totals: false }, user)
 * // SELECT "ref_base"."region", COUNT(*) FROM "orders" AS "ref_base" WHERE ("ref_base"."customer_id" = $1 AND …) GROUP BY 1
 * ```
 */
export function referenceQuery(model: Model, query: GeneratedQuery, user: EmbedUser, options: { withDimensions?: boolean } = {}): ReferenceQuery {
  const dataset = model.datasets.get(query.dataset)!;
  const binder = new Binder();
  const dimensions = options.withDimensions === false ? [] : query.dimensions.map((member) => dimensionSql(model, dataset, member));
  const filter = query.filter ? dimensionSql(model, dataset, query.filter.member) : undefined;
  const joins = new Set([...dimensions, ...(filter ? [filter] : [])].flatMap((d) => (d.join ? [d.join] : [])));
  const select = [...dimensions.map((d) => d.expr), ...query.measures.map((m) => measureSql(dataset, m))];
  const from = fromClause(model, dataset, joins, user, binder);
  const where = [policyPredicate(dataset, BASE, user, binder)];
  if (filter && query.filter) where.push(`${filter.expr} = ${binder.bind(query.filter.value)}`);
  const groupBy = dimensions.length > 0 ? ` GROUP BY ${dimensions.map((_, i) => i + 1).join(', ')}` : '';
  return { sql: `SELECT ${select.join(', ')} ${from} WHERE ${where.join(' AND ')}${groupBy}`, parameters: binder.parameters };
}

/** The distinct values of one dimension that the user may see, for the values route. */
export function referenceDistinctValues(model: Model, datasetName: string, member: string, user: EmbedUser): ReferenceQuery {
  const dataset = model.datasets.get(datasetName)!;
  const binder = new Binder();
  const dimension = dimensionSql(model, dataset, member);
  const from = fromClause(model, dataset, new Set(dimension.join ? [dimension.join] : []), user, binder);
  return { sql: `SELECT DISTINCT ${dimension.expr} ${from} WHERE ${policyPredicate(dataset, BASE, user, binder)}`, parameters: binder.parameters };
}

/** Raw SQL helpers for the static checks and sampling (no user involved). */
export const raw = { quote, sourceSql };
