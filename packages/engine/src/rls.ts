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
 *   scalar. Any other combination is `rls_attribute_invalid`. (A scalar is not silently promoted to
 *   a one-element list: the host said what shape it sends, and a mismatch is a bug to surface.)
 * - An empty array with `in` matches no row (FALSE), with `notIn` every row (TRUE).
 * - A user-only condition is decided here, at plan time, into a TRUE/FALSE constant.
 */
import { PerchError, type AttributeValue, type EmbedUser } from '@perch/protocol';
import { and, col, compare, FALSE, inList, or, param, TRUE, type Comparison, type Expr, type ScalarValue } from './nodes.js';
import type { Dataset, PolicyNode } from './model/types.js';
import type { ModelLiteral, RlsOperator } from './model/schema.js';
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
      const column = col(alias, node.column);
      if ('value' in node.operand) return columnCondition(column, node.operator, node.operand.value);
      const value = requireAttribute(user, node.operand.attribute);
      const listOperator = node.operator === 'in' || node.operator === 'notIn';
      if (Array.isArray(value) !== listOperator) throw shapeMismatch(node.operand.attribute, node.operator);
      return columnCondition(column, node.operator, value as ScalarValue | readonly ScalarValue[]);
    }
  }
}

function columnCondition(column: Expr, operator: RlsOperator, value: ModelLiteral | readonly ModelLiteral[]): Expr {
  if (operator === 'in' || operator === 'notIn') return inList(column, value as readonly ScalarValue[], operator === 'notIn');
  return compare(COMPARATORS[operator], column, param(value as ScalarValue));
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

