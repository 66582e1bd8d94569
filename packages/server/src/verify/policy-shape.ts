import { policyAttributes, type Dataset, type Model, type PolicyNode } from '@perch/engine';

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

/** An attribute the policies read, with the datasets and columns it is compared with. */
export interface AttributeUse {
  readonly attribute: string;
  readonly columns: Array<{ dataset: Dataset; column: string }>;
  /** Literals that user-only conditions compare the attribute with. */
  readonly literals: Array<string | number | boolean>;
  readonly list: boolean;
}

/** The attributes the policies of these datasets read, merged across datasets. */
export function attributeUses(datasets: readonly Dataset[]): Map<string, AttributeUse> {
  const uses = new Map<string, AttributeUse>();
  for (const dataset of datasets) {
    for (const read of policyAttributes(dataset)) {
      const use = uses.get(read.attribute) ?? { attribute: read.attribute, columns: [], literals: [], list: read.list };
      use.columns.push(...read.columns.map(({ column }) => ({ dataset, column })));
      use.literals.push(...read.literals);
      uses.set(read.attribute, use);
    }
  }
  return uses;
}
