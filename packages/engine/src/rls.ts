/**
 * The row-level-security transform. It turns a dataset's policy tree into a predicate with every
 * attribute bound as a parameter, and is applied unconditionally by the governed pipeline to the
 * base dataset (WHERE) and to every joined dataset (inside the LEFT JOIN's ON clause, so a join
 * stays a LEFT join: Cube #11574).
 *
 * Binding rules (DESIGN.md section 3):
 * - A missing or null attribute refuses the query with `rls_attribute_missing`; it never becomes
 *   "no filter" or `IS NULL`.
 * - `in` / `notIn` need an array attribute; `equals`, `notEquals`, `gt`, `gte`, `lt`, `lte` need a
 *   scalar. Any other combination is `rls_attribute_invalid`. So is a value whose JSON type does not
 *   fit the column's type: the comparison happens in the column's type, never by casting it. (A scalar is not silently promoted to
 *   a one-element list: the host said what shape it sends, and a mismatch is a bug to surface.)
 * - An empty array with `in` matches no row (FALSE), with `notIn` every row (TRUE).
 * - A user-only condition is decided here, at plan time, into a TRUE/FALSE constant.
 *
 * This is the one reading of a policy tree (`readPolicy`): the query's predicate, the explanation
 * of `explainAccess` and the restriction the assistant names all come from one walk, so a change
 * to these rules is made here alone. The binding helpers stay private to keep it that way.
 */
import { isPerchError, PerchError, type AttributeValue, type EmbedUser } from '@perch/protocol';
import { and, col, compare, FALSE, inList, or, param, TRUE, type Comparison, type Expr, type ScalarValue } from './nodes.js';
import type { Dataset, DimensionType, PolicyNode } from './model/types.js';
import type { ModelLiteral, RlsOperator } from './model/schema.js';
import { scalarFitsColumn } from './model/column-types.js';
import { attributeOf } from './access.js';

export interface RlsPredicate {
  readonly predicate: Expr;
  /** Ids of every policy node that took part, for the audit trail. */
  readonly policyIds: readonly string[];
}

/** One policy node as it applies to one user: bound values, decided user conditions, named failures. */
export type PolicyExplanation =
  | { id: string; kind: 'all' | 'any'; children: PolicyExplanation[] }
  | {
      id: string;
      kind: 'column';
      column: string;
      operator: string;
      attribute?: string;
      /** The value bound for this user, or the model's literal. Absent when the attribute is missing. */
      value?: AttributeValue | ModelLiteral | readonly ModelLiteral[];
      status: 'bound' | 'attribute_missing' | 'attribute_invalid' | 'matches_nothing';
    }
  | { id: string; kind: 'user'; attribute: string; operator: string; value: ModelLiteral | readonly ModelLiteral[]; actual?: AttributeValue; status: 'satisfied' | 'unsatisfied' | 'attribute_missing' | 'attribute_invalid' };

/**
 * The column conditions that restrict this user's rows, as a tree: user-only conditions are
 * decided and gone, and so is every `any` that one of its branches opens to all rows.
 */
export type RowRestriction =
  | { kind: 'all' | 'any'; children: readonly RowRestriction[] }
  | { kind: 'column'; column: string; operator: RlsOperator; value: ScalarValue | readonly ScalarValue[] };

/** Everything row-level security decides for one dataset and one user, from one walk of its policy tree. */
export interface PolicyReading {
  /** The predicate to apply, or `undefined` when the query must be refused (see `refusal`). */
  readonly predicate: Expr | undefined;
  /** The first refusal in the tree's order (`rls_attribute_missing` / `rls_attribute_invalid`). */
  readonly refusal: PerchError | undefined;
  /** Ids of every policy node, for the audit trail. */
  readonly policyIds: readonly string[];
  /** `none` when the dataset has no row-level security. */
  readonly explanation: 'none' | PolicyExplanation;
  /** `undefined` when no condition restricts the rows (or none could be bound). */
  readonly restriction: RowRestriction | undefined;
  readonly missingAttributes: ReadonlySet<string>;
  readonly invalidAttributes: ReadonlySet<string>;
}

const COMPARATORS: Record<Exclude<RlsOperator, 'in' | 'notIn'>, Comparison['op']> = { equals: '=', notEquals: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * The predicate of a dataset's policy for a user, with column references qualified by `alias`.
 * `rowLevelSecurity: none` gives TRUE and no policy ids.
 *
 * @example
 * ```ts
 * rlsPredicate(orders, 'orders', { distinctId: 'ada', role: 'viewer', attributes: { customerId: 'acme' } }).predicate
 * ```
 * @throws PerchError `rls_attribute_missing` / `rls_attribute_invalid` with path `attributes.<name>`.
 */
export function rlsPredicate(dataset: Dataset, alias: string, user: EmbedUser): RlsPredicate {
  if (dataset.rowLevelSecurity === 'none') return { predicate: TRUE, policyIds: [] };
  // The same walk as readPolicy, without the explanation and the restriction: every compile of
  // a new query runs this, and building those trees, which only explain and the assistant read,
  // made it about eight times slower (11 µs against 1.3 µs for the demo model's orders policy).
  const walk: Walk = { alias, user, explain: false, ids: [], missing: undefined, invalid: undefined, refusal: undefined };
  const { expr } = readNode(dataset.rowLevelSecurity, walk);
  if (walk.refusal || !expr) throw walk.refusal ?? new PerchError('internal_error', { detail: `no predicate for ${dataset.name}` });
  return { predicate: expr, policyIds: walk.ids };
}

/**
 * Read a dataset's policy tree for a user, once: the predicate the query pipeline applies, the
 * explanation `explainAccess` reports and the restriction the assistant names all come from this
 * walk, so a change to how a policy binds is made here and nowhere else.
 *
 * Unlike {@link rlsPredicate} it does not throw for a missing or invalid attribute: it records
 * the refusal and keeps walking, so the explanation names every failing attribute.
 *
 * @example
 * ```ts
 * const { predicate, explanation, refusal } = readPolicy(orders, 'orders', user);
 * ```
 * @throws PerchError `internal_error` when a policy column's type was never established.
 */
export function readPolicy(dataset: Dataset, alias: string, user: EmbedUser): PolicyReading {
  const missing = new Set<string>();
  const invalid = new Set<string>();
  const walk: Walk = { alias, user, explain: true, ids: [], missing, invalid, refusal: undefined };
  if (dataset.rowLevelSecurity === 'none') {
    return { predicate: TRUE, refusal: undefined, policyIds: [], explanation: 'none', restriction: undefined, missingAttributes: missing, invalidAttributes: invalid };
  }
  const root = readNode(dataset.rowLevelSecurity, walk);
  return {
    predicate: walk.refusal ? undefined : root.expr,
    refusal: walk.refusal,
    policyIds: walk.ids,
    // An explaining walk gives every node its explanation.
    explanation: root.explanation!,
    restriction: root.restriction,
    missingAttributes: missing,
    invalidAttributes: invalid,
  };
}

interface Walk {
  readonly alias: string;
  readonly user: EmbedUser;
  /** Build the explanation and the restriction too (readPolicy); `false` reads only the predicate. */
  readonly explain: boolean;
  readonly ids: string[];
  /** Only kept when explaining, like the explanation they describe. */
  readonly missing: Set<string> | undefined;
  readonly invalid: Set<string> | undefined;
  refusal: PerchError | undefined;
}

interface NodeReading {
  /** `undefined` when this node (or one below it) refuses the user. */
  expr: Expr | undefined;
  /** `undefined` unless the walk explains. */
  explanation: PolicyExplanation | undefined;
  restriction: RowRestriction | undefined;
}

/** What a walk that does not explain returns for a node, besides its expression. */
const UNEXPLAINED = { explanation: undefined, restriction: undefined } as const;

function readNode(node: PolicyNode, walk: Walk): NodeReading {
  walk.ids.push(node.id);
  switch (node.kind) {
    case 'all':
    case 'any':
      return readBranch(node, walk);
    case 'user':
      return readUserNode(node, walk);
    case 'column':
      return readColumnNode(node, walk);
  }
}

function readBranch(node: Extract<PolicyNode, { kind: 'all' | 'any' }>, walk: Walk): NodeReading {
  const children = node.children.map((child) => readNode(child, walk));
  const exprs = children.map((child) => child.expr);
  const bound = exprs.every((expr): expr is Expr => expr !== undefined);
  const expr = bound ? (node.kind === 'all' ? and(exprs) : or(exprs)) : undefined;
  if (!walk.explain) return { expr, ...UNEXPLAINED };
  // A branch that lets every row through makes its `any` restrict nothing.
  const opened = node.kind === 'any' && exprs.some((e) => e === TRUE);
  const restrictions = children.flatMap((child) => (child.restriction ? [child.restriction] : []));
  return {
    expr,
    explanation: { id: node.id, kind: node.kind, children: children.map((child) => child.explanation!) },
    restriction: opened || restrictions.length === 0 ? undefined : { kind: node.kind, children: restrictions },
  };
}

function readUserNode(node: Extract<PolicyNode, { kind: 'user' }>, walk: Walk): NodeReading {
  if (!walk.explain) {
    try {
      return { expr: evaluateUserCondition(node.attribute, node.operator, node.value, walk.user) ? TRUE : FALSE, ...UNEXPLAINED };
    } catch (error) {
      refuse(walk, error);
      return { expr: undefined, ...UNEXPLAINED };
    }
  }
  const actual = attributeOf(walk.user, node.attribute);
  const base = { id: node.id, kind: 'user' as const, attribute: node.attribute, operator: node.operator, value: node.value };
  try {
    const satisfied = evaluateUserCondition(node.attribute, node.operator, node.value, walk.user);
    return { expr: satisfied ? TRUE : FALSE, explanation: { ...base, actual: actual!, status: satisfied ? 'satisfied' : 'unsatisfied' }, restriction: undefined };
  } catch (error) {
    refuse(walk, error);
    if (actual === undefined) {
      walk.missing?.add(node.attribute);
      return { expr: undefined, explanation: { ...base, status: 'attribute_missing' }, restriction: undefined };
    }
    walk.invalid?.add(node.attribute);
    return { expr: undefined, explanation: { ...base, actual, status: 'attribute_invalid' }, restriction: undefined };
  }
}

function readColumnNode(node: ColumnNode, walk: Walk): NodeReading {
  const columnType = requireColumnType(node);
  if (!walk.explain) {
    let operand: ScalarValue | readonly ScalarValue[];
    try {
      operand = columnOperand(node, walk.user);
    } catch (error) {
      refuse(walk, error);
      return { expr: undefined, ...UNEXPLAINED };
    }
    return { expr: columnCondition(col(walk.alias, node.column), node.operator, operand, columnType), ...UNEXPLAINED };
  }
  const base = { id: node.id, kind: 'column' as const, column: node.column, operator: node.operator };
  const attribute = 'attribute' in node.operand ? node.operand.attribute : undefined;
  let value: ScalarValue | readonly ScalarValue[];
  try {
    value = columnOperand(node, walk.user);
  } catch (error) {
    refuse(walk, error);
    const name = attribute!;
    if (isPerchError(error) && error.code === 'rls_attribute_missing') {
      walk.missing?.add(name);
      return { expr: undefined, explanation: { ...base, attribute: name, status: 'attribute_missing' }, restriction: undefined };
    }
    walk.invalid?.add(name);
    const given = attributeOf(walk.user, name);
    return { expr: undefined, explanation: { ...base, attribute: name, ...(given === undefined ? {} : { value: given }), status: 'attribute_invalid' }, restriction: undefined };
  }
  const expr = columnCondition(col(walk.alias, node.column), node.operator, value, columnType);
  const empty = attribute !== undefined && Array.isArray(value) && value.length === 0 && node.operator === 'in';
  return {
    expr,
    explanation: { ...base, ...(attribute === undefined ? {} : { attribute }), value, status: empty ? 'matches_nothing' : 'bound' },
    // `notIn` an empty list lets every row through: nothing to name.
    restriction: expr === TRUE ? undefined : { kind: 'column', column: node.column, operator: node.operator, value },
  };
}

/** Keep the first refusal in the tree's order; anything but a refusal of the user is a bug and stops the walk. */
function refuse(walk: Walk, error: unknown): void {
  if (!isPerchError(error) || (error.code !== 'rls_attribute_missing' && error.code !== 'rls_attribute_invalid')) throw error;
  walk.refusal ??= error;
}

type ColumnNode = Extract<PolicyNode, { kind: 'column' }>;

/**
 * The value a column condition compares with, for `user`: the model's literal, or the attribute,
 * checked for shape (list or scalar, by operator) and for type (it must fit the column's type).
 *
 * @throws PerchError `rls_attribute_missing`, or `rls_attribute_invalid` with path
 *   `attributes.<name>` when the attribute's shape or JSON type does not fit.
 */
function columnOperand(node: ColumnNode, user: EmbedUser): ScalarValue | readonly ScalarValue[] {
  if ('value' in node.operand) return node.operand.value;
  const name = node.operand.attribute;
  const value = requireAttribute(user, name);
  const listOperator = node.operator === 'in' || node.operator === 'notIn';
  if (Array.isArray(value) !== listOperator) throw shapeMismatch(name, node.operator);
  const type = requireColumnType(node);
  const items: readonly unknown[] = Array.isArray(value) ? value : [value];
  // The column is never cast to the value's type: a cast widens the match ('042' = 42). A value
  // of another JSON type is the host's bug, refused so it surfaces instead of matching by accident.
  if (!items.every((item) => scalarFitsColumn(item, type))) {
    throw new PerchError('rls_attribute_invalid', {
      path: `attributes.${name}`,
      message: `The attribute "${name}" must be ${TYPE_WORDS[type]}${listOperator ? ' in every item' : ''}: it is compared with a ${type} column.`,
    });
  }
  return value as ScalarValue | readonly ScalarValue[];
}

const TYPE_WORDS: Record<DimensionType, string> = { string: 'a JSON string', number: 'a JSON number', boolean: 'true or false', time: 'an ISO 8601 date or date-time string' };

/** Fail closed: a policy column whose type was never established is not bound at all. */
function requireColumnType(node: ColumnNode): DimensionType {
  if (node.columnType === undefined) throw new PerchError('internal_error', { detail: `the type of policy column "${node.column}" (${node.id}) is unknown` });
  return node.columnType;
}

function columnCondition(column: Expr, operator: RlsOperator, value: ScalarValue | readonly ScalarValue[], type: DimensionType): Expr {
  // A time column compares with a timestamp: the parameter is cast, never the column.
  const cast = type === 'time' ? 'timestamp' : undefined;
  if (operator === 'in' || operator === 'notIn') return inList(column, value as readonly ScalarValue[], operator === 'notIn', cast);
  return compare(COMPARATORS[operator], column, param(value as ScalarValue, cast));
}

/** Read a required attribute. Missing and null are the same refusal. */
export function requireAttribute(user: EmbedUser, name: string): AttributeValue {
  const value = attributeOf(user, name);
  if (value === undefined || value === null) {
    throw new PerchError('rls_attribute_missing', { path: `attributes.${name}`, message: `The embed token lacks the attribute "${name}" required by a row-level security policy.` });
  }
  return value;
}

function shapeMismatch(name: string, operator: RlsOperator): PerchError {
  const listOperator = operator === 'in' || operator === 'notIn';
  return new PerchError('rls_attribute_invalid', {
    path: `attributes.${name}`,
    message: listOperator ? `The attribute "${name}" must be an array for "${operator}".` : `The attribute "${name}" must be a single value for "${operator}", not an array.`,
  });
}

/** Decide a condition on the user alone. Values compare byte-exact and only within one type. */
function evaluateUserCondition(attribute: string, operator: RlsOperator, expected: ModelLiteral | readonly ModelLiteral[], user: EmbedUser): boolean {
  const actual = requireAttribute(user, attribute);
  const listOperator = operator === 'in' || operator === 'notIn';
  if (listOperator) {
    const list = expected as readonly ModelLiteral[];
    const values = Array.isArray(actual) ? (actual as ReadonlyArray<string | number>) : [actual as ModelLiteral];
    const hit = values.some((v) => list.includes(v));
    return operator === 'in' ? hit : !hit;
  }
  if (Array.isArray(actual)) throw shapeMismatch(attribute, operator);
  const scalar = actual as ModelLiteral;
  const wanted = expected as ModelLiteral;
  switch (operator) {
    case 'equals':
      return scalar === wanted;
    case 'notEquals':
      return scalar !== wanted;
    default: {
      if (typeof scalar !== typeof wanted || typeof scalar === 'boolean') return false;
      if (operator === 'gt') return scalar > wanted;
      if (operator === 'gte') return scalar >= wanted;
      if (operator === 'lt') return scalar < wanted;
      return scalar <= wanted;
    }
  }
}

