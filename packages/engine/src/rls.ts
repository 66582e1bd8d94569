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
 */
import { PerchError, type AttributeValue, type EmbedUser } from '@perch/protocol';
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

const COMPARATORS: Record<Exclude<RlsOperator, 'in' | 'notIn'>, Comparison['op']> = { equals: '=', notEquals: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * The predicate of a dataset's policy for a user, with column references qualified by `alias`.
 * `rowLevelSecurity: none` gives TRUE and no policy ids.
 *
 * @throws PerchError `rls_attribute_missing` / `rls_attribute_invalid` with path `attributes.<name>`.
 */
export function rlsPredicate(dataset: Dataset, alias: string, user: EmbedUser): RlsPredicate {
  if (dataset.rowLevelSecurity === 'none') return { predicate: TRUE, policyIds: [] };
  const ids: string[] = [];
  const predicate = policyToExpr(dataset.rowLevelSecurity, alias, user, ids);
  return { predicate, policyIds: ids };
}

function policyToExpr(node: PolicyNode, alias: string, user: EmbedUser, ids: string[]): Expr {
  ids.push(node.id);
  switch (node.kind) {
    case 'all':
      return and(node.children.map((child) => policyToExpr(child, alias, user, ids)));
    case 'any':
      return or(node.children.map((child) => policyToExpr(child, alias, user, ids)));
    case 'user':
      return evaluateUserCondition(node.attribute, node.operator, node.value, user) ? TRUE : FALSE;
    case 'column': {
      const columnType = requireColumnType(node);
      return columnCondition(col(alias, node.column), node.operator, columnOperand(node, user), columnType);
    }
  }
}

type ColumnNode = Extract<PolicyNode, { kind: 'column' }>;

/**
 * The value a column condition compares with, for `user`: the model's literal, or the attribute,
 * checked for shape (list or scalar, by operator) and for type (it must fit the column's type).
 *
 * @throws PerchError `rls_attribute_missing`, or `rls_attribute_invalid` with path
 *   `attributes.<name>` when the attribute's shape or JSON type does not fit.
 */
export function columnOperand(node: ColumnNode, user: EmbedUser): ScalarValue | readonly ScalarValue[] {
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
export function evaluateUserCondition(attribute: string, operator: RlsOperator, expected: ModelLiteral | readonly ModelLiteral[], user: EmbedUser): boolean {
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

