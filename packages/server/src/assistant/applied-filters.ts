/**
 * "Showing Customer ID acme, Department sales": the row-level restriction that applied to an
 * answer, in plain words. Derived from the RLS policies of the datasets the query used and the
 * user's OWN attribute values those policies bound; nothing about other users or tenants.
 */
import { readPolicy, type Dataset, type Model, type RowRestriction } from '@perch/engine';
import { PerchError, type EmbedUser, type SemanticQuery } from '@perch/protocol';

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

/**
 * The phrases of a restriction. Which conditions restrict the rows is decided by the policy
 * reading (`readPolicy`); this only puts them in words.
 */
function phrases(restriction: RowRestriction, dataset: Dataset | undefined): string[] {
  switch (restriction.kind) {
    case 'all':
      return restriction.children.flatMap((child) => phrases(child, dataset));
    case 'any': {
      const parts = restriction.children.flatMap((child) => phrases(child, dataset));
      return parts.length > 1 ? [parts.join(' or ')] : parts;
    }
    case 'column': {
      const negated = restriction.operator === 'notEquals' || restriction.operator === 'notIn';
      return [`${columnTitle(dataset, restriction.column)} is ${negated ? 'not ' : ''}${valueText(restriction.value)}`];
    }
  }
}

/** The phrases of a dataset's row-level restriction for this user (none when it has none). */
function datasetPhrases(dataset: Dataset, user: EmbedUser): string[] {
  const { restriction } = readPolicy(dataset, dataset.name, user);
  return restriction ? phrases(restriction, dataset) : [];
}

/**
 * @example
 * ```ts
 * appliedFilters(model, { distinctId: 'ada', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } }, query)
 * // 'Showing only data where Customer ID is acme and Department is sales.'
 * ```
 */
export function appliedFilters(model: Model, user: EmbedUser, query: SemanticQuery): string {
  const dataset = model.datasets.get(query.dataset);
  if (!dataset) throw new PerchError('unknown_dataset', { path: 'dataset', message: 'dataset: unknown dataset' });
  const parts = datasetPhrases(dataset, user);
  // Joined datasets the query used add their own policies.
  const members = [...query.measures, ...query.dimensions, ...collectFilterMembers(query)];
  for (const join of dataset.joins.values()) {
    const target = model.datasets.get(join.dataset);
    if (!target || !members.some((m) => m.startsWith(`${join.name}.`))) continue;
    for (const part of datasetPhrases(target, user)) if (!parts.includes(part)) parts.push(part);
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
