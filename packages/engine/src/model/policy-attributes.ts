import type { Dataset, DimensionType, PolicyNode } from './types.js';
import type { ModelLiteral } from './schema.js';

/** One token attribute that a dataset's row-level security reads, and what it must look like. */
export interface PolicyAttribute {
  readonly attribute: string;
  /** `in`/`notIn` need a JSON array; every other operator a single value. */
  readonly list: boolean;
  /** Columns compared with it, with their types (undefined until the warehouse typed them). */
  readonly columns: ReadonlyArray<{ readonly column: string; readonly type: DimensionType | undefined }>;
  /** Literals that user-only conditions compare it with (`department in [finance, operations]`). */
  readonly literals: readonly ModelLiteral[];
}

/**
 * The attributes a dataset's policy reads, in tree order. Every one is required: a token without
 * it is refused with `rls_attribute_missing`, wherever it sits in the tree.
 *
 * @example
 * ```ts
 * policyAttributes(model.datasets.get('orders')!)
 * // [{ attribute: 'customerId', list: false, columns: [{ column: 'customer_id', type: 'string' }], literals: [] }, …]
 * ```
 */
export function policyAttributes(dataset: Dataset): PolicyAttribute[] {
  const found = new Map<string, { attribute: string; list: boolean; columns: Array<{ column: string; type: DimensionType | undefined }>; literals: ModelLiteral[] }>();
  const entry = (attribute: string, list: boolean) => {
    const existing = found.get(attribute);
    if (existing) return existing;
    const created = { attribute, list, columns: [], literals: [] };
    found.set(attribute, created);
    return created;
  };
  const visit = (node: PolicyNode): void => {
    if ('children' in node) {
      node.children.forEach(visit);
      return;
    }
    const list = node.operator === 'in' || node.operator === 'notIn';
    if (node.kind === 'column') {
      if ('attribute' in node.operand) entry(node.operand.attribute, list).columns.push({ column: node.column, type: node.columnType });
      return;
    }
    // A user-only condition compares a single attribute value with the model's literal(s).
    const use = entry(node.attribute, false);
    for (const literal of Array.isArray(node.value) ? node.value : [node.value]) use.literals.push(literal as ModelLiteral);
  };
  if (dataset.rowLevelSecurity !== 'none') visit(dataset.rowLevelSecurity);
  return [...found.values()];
}
