/** Plain-words description of a semantic query, for explanations and answers. */
import type { Filter, SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';

function titleOf(catalog: Catalog, dataset: string, member: string): string {
  return catalog.datasets.find((d) => d.name === dataset)?.members.find((m) => m.name === member)?.title ?? member;
}

function describeFilter(catalog: Catalog, dataset: string, filter: Filter): string {
  if ('and' in filter) return filter.and.map((f) => describeFilter(catalog, dataset, f)).join(' and ');
  if ('or' in filter) return `(${filter.or.map((f) => describeFilter(catalog, dataset, f)).join(' or ')})`;
  const title = titleOf(catalog, dataset, filter.member);
  const values = (filter.values ?? []).map(String).join(', ');
  switch (filter.operator) {
    case 'equals':
    case 'in':
      return `${title} is ${values}`;
    case 'notEquals':
    case 'notIn':
      return `${title} is not ${values}`;
    default:
      return `${title} ${filter.operator} ${values}`.trim();
  }
}

/**
 * @example
 * ```ts
 * describeQuery({ dataset: 'orders', measures: ['revenue'], dimensions: ['region'], … }, catalog, 'last quarter')
 * // 'Revenue by Region, last quarter'
 * ```
 */
export function describeQuery(query: SemanticQuery, catalog: Catalog, rangeLabel?: string): string {
  const parts: string[] = [query.measures.map((m) => titleOf(catalog, query.dataset, m)).join(' and ')];
  const groups = query.dimensions.map((d) => titleOf(catalog, query.dataset, d));
  if (query.timeDimension?.granularity) groups.push(query.timeDimension.granularity);
  let text = parts[0]!;
  if (groups.length > 0) text += ` by ${groups.join(' and ')}`;
  const range = rangeLabel ?? (typeof query.timeDimension?.dateRange === 'string' ? query.timeDimension.dateRange : query.timeDimension?.dateRange?.join(' to '));
  if (range) text += `, ${range}`;
  if (query.filters.length > 0) text += `, where ${query.filters.map((f) => describeFilter(catalog, query.dataset, f)).join(' and ')}`;
  if (query.limit !== undefined && query.order[0]) text += `, ${query.order[0].direction === 'desc' ? 'top' : 'bottom'} ${query.limit}`;
  return text;
}
