import type { DashboardDefinition, DashboardFilters } from '../types.js';
import { DATE_RANGE_PRESETS } from './date-presets.js';
import { crossFilterLabel, memberTitle } from './cross-filter-view.js';

/**
 * The active filters in words, for the empty state: "Last 7 days, Region: EMEA". Values come from
 * the filter state (the user's own choices); the caller renders the text as text.
 *
 * @example
 * describeFilters(definition, { dateRange: 'last 7 days', values: { region: ['EMEA'] } }) // "Last 7 days, Region: EMEA"
 */
export function describeFilters(definition: DashboardDefinition, filters: DashboardFilters): string {
  const parts: string[] = [];
  const range = filters.dateRange;
  if (typeof range === 'string') parts.push(DATE_RANGE_PRESETS.find((p) => p.value === range.toLowerCase())?.label ?? range);
  else if (Array.isArray(range)) parts.push(`${range[0]} to ${range[1]}`);
  for (const [member, values] of Object.entries(filters.values ?? {})) {
    if (values.length === 0) continue;
    const title = definition.filters.pickers.find((p) => p.member === member)?.title ?? member;
    parts.push(`${title}: ${values.map(String).join(', ')}`);
  }
  for (const filter of filters.cross ?? []) parts.push(`${memberTitle(definition, filter.member)}: ${crossFilterLabel(filter)}`);
  return parts.join(', ');
}

/** Whether the filters differ from the ones the dashboard opens with. */
export function filtersChanged(filters: DashboardFilters, initial: DashboardFilters): boolean {
  const values = Object.values(filters.values ?? {}).some((v) => v.length > 0) || (filters.cross ?? []).length > 0;
  return values || JSON.stringify(filters.dateRange ?? null) !== JSON.stringify(initial.dateRange ?? null);
}
