import type { Dataset, Model, PolicyNode } from '@perch/engine';

/** A column that a policy always compares with an attribute: the dataset's tenant boundary. */
export interface TenantKey {
  readonly column: string;
  readonly attribute: string;
}

/**
 * The tenant keys of a dataset: `column equals|in attribute` conditions that every row must meet,
 * that is, leaves reached from the root through `all` groups only. A condition inside `any` can be
 * bypassed by a sibling, so it narrows a tenant's rows but does not draw the boundary.
 *
 * @example
 * ```ts
 * tenantKeys(model.datasets.get('orders')!) // [{ column: 'customer_id', attribute: 'customerId' }]
 * ```
 */
export function tenantKeys(dataset: Dataset): TenantKey[] {
  if (dataset.rowLevelSecurity === 'none') return [];
  const keys: TenantKey[] = [];
  const visit = (node: PolicyNode): void => {
    if (node.kind === 'all') node.children.forEach(visit);
    else if (node.kind === 'column' && 'attribute' in node.operand && (node.operator === 'equals' || node.operator === 'in')) {
      keys.push({ column: node.column, attribute: node.operand.attribute });
    }
  };
  visit(dataset.rowLevelSecurity);
  return keys;
}

/** Every tenant column name used anywhere in the model, with the attributes bound to it. */
export function modelTenantColumns(model: Model): Map<string, Set<string>> {
  const columns = new Map<string, Set<string>>();
  for (const dataset of model.datasets.values()) {
    for (const key of tenantKeys(dataset)) {
      const attributes = columns.get(key.column) ?? new Set<string>();
      attributes.add(key.attribute);
      columns.set(key.column, attributes);
    }
  }
  return columns;
}

/** The attributes a dataset's policy reads, with how each is used (to make up test users). */
export interface AttributeUse {
  readonly attribute: string;
  /** Column conditions: the column compared and whether the attribute is a list. */
  readonly columns: Array<{ dataset: Dataset; column: string; list: boolean }>;
  /** Literals that user-only conditions compare the attribute with. */
  readonly literals: Array<string | number | boolean>;
  readonly list: boolean;
}

/** The attributes the policies of these datasets read. */
export function attributeUses(datasets: readonly Dataset[]): Map<string, AttributeUse> {
  const uses = new Map<string, AttributeUse>();
  const use = (attribute: string, list: boolean): AttributeUse => {
    const found = uses.get(attribute);
    if (found) return found;
    const created: AttributeUse = { attribute, columns: [], literals: [], list };
    uses.set(attribute, created);
    return created;
  };
  const visit = (dataset: Dataset, node: PolicyNode): void => {
    if ('children' in node) {
      node.children.forEach((child) => visit(dataset, child));
      return;
    }
    const list = node.operator === 'in' || node.operator === 'notIn';
    if (node.kind === 'column') {
      if ('attribute' in node.operand) use(node.operand.attribute, list).columns.push({ dataset, column: node.column, list });
      return;
    }
    // A user-only condition: `department in [finance, operations]` reads a scalar attribute.
    const entry = use(node.attribute, false);
    for (const literal of Array.isArray(node.value) ? node.value : [node.value]) entry.literals.push(literal as string | number | boolean);
  };
  for (const dataset of datasets) if (dataset.rowLevelSecurity !== 'none') visit(dataset, dataset.rowLevelSecurity);
  return uses;
}
