/**
 * "Showing Customer ID acme, Department sales": the row-level restriction that applied to an
 * answer, in plain words. Derived from the RLS policies of the datasets the query used and the
 * user's OWN attribute values those policies bound; nothing about other users or tenants.
 */
import { explainAccess, type Dataset, type Model, type PolicyExplanation } from '@perch/engine';
import type { EmbedUser, SemanticQuery } from '@perch/protocol';

/**
 * The title people know a policy column by. A column no dimension exposes (e.g. `tenant_id`) is
 * still named in words ("Tenant"), never by its internal id.
 */
function columnTitle(dataset: Dataset | undefined, column: string): string {
  for (const dimension of dataset?.dimensions.values() ?? []) if (dimension.column === column) return dimension.title ?? humanize(dimension.name);
  return humanize(column);
}

function humanize(name: string): string {
  const words = name.replace(/_id$/i, '').replace(/[_.]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function valueText(value: unknown): string {
  return Array.isArray(value) ? value.map(String).join(' or ') : String(value);
}

/** Restrictions a policy node imposes; an `any` with a satisfied user condition imposes none. */
function restrictions(node: PolicyExplanation, dataset: Dataset | undefined): string[] {
  switch (node.kind) {
    case 'all':
      return node.children.flatMap((child) => restrictions(child, dataset));
    case 'any': {
      if (node.children.some((c) => c.kind === 'user' && c.status === 'satisfied')) return [];
      const parts = node.children.flatMap((child) => restrictions(child, dataset));
      return parts.length > 1 ? [parts.join(' or ')] : parts;
    }
    case 'user':
      return [];
    case 'column': {
      if (node.value === undefined) return [];
      const negated = node.operator === 'notEquals' || node.operator === 'notIn';
      return [`${columnTitle(dataset, node.column)} is ${negated ? 'not ' : ''}${valueText(node.value)}`];
    }
  }
}

/**
 * @example
 * ```ts
 * appliedFilters(model, { distinctId: 'ada', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } }, query)
 * // 'Showing only data where Customer ID is acme and Department is sales.'
 * ```
 */
export function appliedFilters(model: Model, user: EmbedUser, query: SemanticQuery): string {
  const explanation = explainAccess(model, user, query.dataset);
  const dataset = model.datasets.get(query.dataset);
  const parts = explanation.rowLevelSecurity === 'none' ? [] : restrictions(explanation.rowLevelSecurity, dataset);
  // Joined datasets the query used add their own policies.
  const members = [...query.measures, ...query.dimensions, ...collectFilterMembers(query)];
  for (const [joinName, join] of Object.entries(explanation.joins)) {
    if (!members.some((m) => m.startsWith(`${joinName}.`)) || join.rowLevelSecurity === 'none') continue;
    for (const part of restrictions(join.rowLevelSecurity, model.datasets.get(join.joinedDataset))) if (!parts.includes(part)) parts.push(part);
  }
  return parts.length === 0 ? 'No row-level restriction applies to this data.' : `Showing only data where ${parts.join(' and ')}.`;
}

function collectFilterMembers(query: SemanticQuery): string[] {
  const out: string[] = [];
  const walk = (filters: SemanticQuery['filters']) => {
    for (const f of filters) {
      if ('and' in f) walk(f.and);
      else if ('or' in f) walk(f.or);
      else out.push(f.member);
    }
  };
  walk(query.filters);
  return out;
}
