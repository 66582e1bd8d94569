import type { AttributeValue, EmbedUser } from '@perch/protocol';
import type { Dataset, Dimension, Measure } from './model/types.js';
import { referencedMeasures } from './model/expression.js';

/** Read an attribute without ever consulting the prototype chain. */
export function attributeOf(user: EmbedUser, name: string): AttributeValue | undefined {
  const attributes = user.attributes as Record<string, AttributeValue | null | undefined> | undefined;
  if (typeof attributes !== 'object' || attributes === null) return undefined;
  if (!Object.prototype.hasOwnProperty.call(attributes, name)) return undefined;
  return attributes[name] ?? undefined;
}

/**
 * Whether a member's rule lets this user see it. A member without a rule is visible. An attribute
 * rule whose attribute is missing hides the member (deny by default). An expression measure is
 * visible only when every measure it uses is visible, so `margin_pct` cannot leak a hidden `margin`.
 */
export function memberVisible(dataset: Dataset, member: string, user: EmbedUser, seen: Set<string> = new Set()): boolean {
  const rule = dataset.memberRules.get(member);
  if (rule?.roles && !rule.roles.includes(user.role)) return false;
  if (rule?.attribute) {
    const value = attributeOf(user, rule.attribute.name);
    if (value === undefined) return false;
    const values = Array.isArray(value) ? (value as ReadonlyArray<string | number>) : [value as string | number | boolean];
    if (!values.some((v) => rule.attribute?.values.includes(v))) return false;
  }
  const measure = dataset.measures.get(member);
  if (measure?.kind === 'expression' && !seen.has(member)) {
    seen.add(member);
    for (const ref of referencedMeasures(measure.expression)) if (!memberVisible(dataset, ref, user, seen)) return false;
  }
  return true;
}

export type ResolvedMember =
  | { readonly kind: 'dimension'; readonly name: string; readonly owner: Dataset; readonly alias: string; readonly join: string | undefined; readonly dimension: Dimension }
  | { readonly kind: 'measure'; readonly name: string; readonly owner: Dataset; readonly alias: string; readonly join: undefined; readonly measure: Measure };

/**
 * Look a member name up in a dataset: `region`, `revenue`, or `customer.segment` through a join.
 * Returns `undefined` for anything that is not exactly a member, including measures of joined
 * datasets (aggregating across a join is ambiguous; query that dataset directly).
 */
export function lookupMember(datasets: ReadonlyMap<string, Dataset>, dataset: Dataset, name: string): ResolvedMember | undefined {
  const dot = name.indexOf('.');
  if (dot === -1) {
    const dimension = dataset.dimensions.get(name);
    if (dimension) return { kind: 'dimension', name, owner: dataset, alias: dataset.name, join: undefined, dimension };
    const measure = dataset.measures.get(name);
    if (measure) return { kind: 'measure', name, owner: dataset, alias: dataset.name, join: undefined, measure };
    return undefined;
  }
  const join = dataset.joins.get(name.slice(0, dot));
  const target = join && datasets.get(join.dataset);
  const dimension = target?.dimensions.get(name.slice(dot + 1));
  if (!join || !target || !dimension) return undefined;
  return { kind: 'dimension', name, owner: target, alias: join.name, join: join.name, dimension };
}
