/** Plain-words description of a semantic query, for explanations and answers. */
import type { Filter, SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import { titleIn } from './titles.js';
import { formatDay, formatMeasureValue } from './value-format.js';

const COMPARISONS: Record<string, string> = { gt: 'over', gte: 'at least', lt: 'under', lte: 'at most' };

function listOf(values: readonly unknown[], conjunction: 'and' | 'or'): string {
  const text = values.map(String);
  return text.length <= 1 ? (text[0] ?? '') : `${text.slice(0, -1).join(', ')} ${conjunction} ${text[text.length - 1]}`;
}

function lowerTitle(title: string): string {
  return /^[A-Z]{2}/.test(title) ? title : title.charAt(0).toLowerCase() + title.slice(1);
}

function isTimeMember(catalog: Catalog, dataset: string, member: string): boolean {
  return catalog.datasets.find((d) => d.name === dataset)?.members.find((m) => m.name === member)?.type === 'time';
}

/** One filter in words; filters on dates are left out (the range label says them). */
function describeFilter(catalog: Catalog, dataset: string, filter: Filter): string | undefined {
  if ('and' in filter || 'or' in filter) {
    const parts = ('and' in filter ? filter.and : filter.or).map((f) => describeFilter(catalog, dataset, f)).filter((p): p is string => p !== undefined);
    return parts.length === 0 ? undefined : parts.join('and' in filter ? ' and ' : ' or ');
  }
  if (isTimeMember(catalog, dataset, filter.member)) return undefined;
  const title = titleIn(catalog, dataset, filter.member);
  const values = filter.values ?? [];
  const measure = catalog.datasets.find((d) => d.name === dataset)?.members.find((m) => m.name === filter.member)?.kind === 'measure';
  switch (filter.operator) {
    case 'equals':
    case 'in':
      return `for ${lowerTitle(title)} ${listOf(values, 'or')}`;
    case 'notEquals':
    case 'notIn':
      return `excluding ${lowerTitle(title)} ${listOf(values, 'and')}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const shown = measure ? formatMeasureValue(catalog.datasets.find((d) => d.name === dataset), filter.member, values[0]) : String(values[0]);
      return `where ${title.toLowerCase()} is ${COMPARISONS[filter.operator]} ${shown}`;
    }
    default:
      return `where ${title} ${filter.operator} ${listOf(values, 'or')}`.trim();
  }
}

/** The range in words: relative ranges as written, explicit ones as formatted days. */
export function rangeText(query: SemanticQuery, rangeLabel?: string): string | undefined {
  if (rangeLabel) return rangeLabel;
  const range = query.timeDimension?.dateRange;
  if (range === undefined) return undefined;
  if (typeof range === 'string') return range;
  return `${formatDay(range[0])} to ${formatDay(range[1])}`;
}

/** The conditions of a query (range and filters) as one phrase, e.g. "last quarter, excluding Status refunded". */
export function describeScope(query: SemanticQuery, catalog: Catalog, rangeLabel?: string): string {
  const parts: string[] = [];
  const range = rangeText(query, rangeLabel);
  // "in Q3 2026", "in March", but "last quarter" and "since March" as they are.
  if (range) parts.push(/^(?:Q[1-4]|[A-Z][a-z]+ \d|\d)/.test(range) ? `in ${range}` : range);
  const exclusions: string[] = [];
  for (const filter of query.filters) {
    const text = describeFilter(catalog, query.dataset, filter);
    // Several exclusions read as one: "excluding status refunded and region APAC".
    if (text?.startsWith('excluding ')) exclusions.push(text.slice('excluding '.length));
    else if (text) parts.push(text);
  }
  if (exclusions.length > 0) parts.push(`excluding ${listOf(exclusions, 'and')}`);
  return parts.join(', ');
}

/**
 * @example
 * ```ts
 * describeQuery({ dataset: 'orders', measures: ['revenue'], dimensions: ['region'], … }, catalog, 'last quarter')
 * // 'Revenue by Region, last quarter'
 * ```
 */
export function describeQuery(query: SemanticQuery, catalog: Catalog, rangeLabel?: string): string {
  const measures = query.measures.map((m, i) => (i === 0 ? titleIn(catalog, query.dataset, m) : titleIn(catalog, query.dataset, m).toLowerCase()));
  const groups = query.dimensions.map((d) => titleIn(catalog, query.dataset, d));
  if (query.timeDimension?.granularity) groups.push(query.timeDimension.granularity);
  let text = listOf(measures, 'and');
  if (groups.length > 0) text += ` by ${listOf(groups, 'and')}`;
  const scope = describeScope(query, catalog, rangeLabel);
  if (scope) text += `, ${scope}`;
  if (query.limit !== undefined && query.order[0]) text += `, ${query.order[0].direction === 'desc' ? 'top' : 'bottom'} ${query.limit}`;
  return text;
}
