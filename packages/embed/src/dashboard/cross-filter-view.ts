import { html, nothing, type TemplateResult } from 'lit';
import type { Granularity } from '@perch/protocol';
import type { CellValue, ChartDefinition, CrossFilter, DashboardDefinition, QueryResponse } from '../types.js';
import { formatCell } from '../format/formatters.js';

/**
 * The model's title of a member the dashboard groups by, from the first permitted chart that
 * carries it (charts send their members' titles); the member name when none does.
 */
export function memberTitle(definition: DashboardDefinition, member: string): string {
  for (const chart of definition.charts) {
    const title = chart.members?.[member]?.title;
    if (title) return title;
  }
  return member;
}

/** A cross-filter's value as the tile showed it: a time bucket in its granularity's words. */
export function crossFilterLabel(filter: CrossFilter, locale?: string): string {
  if (filter.granularity) return formatCell(filter.value, 'time', { granularity: filter.granularity, locale });
  return formatCell(filter.value, 'dimension', { locale });
}

/**
 * The cross-filter a click on `row` of a tile's result makes: the row's time bucket when the
 * chart has a time dimension, else its first dimension. Undefined for a row with neither (a KPI).
 */
export function crossFilterOf(chart: ChartDefinition, result: QueryResponse, row: Record<string, CellValue> | undefined): CrossFilter | undefined {
  if (!row) return undefined;
  const column = result.columns.find((c) => c.kind === 'time') ?? result.columns.find((c) => c.kind === 'dimension');
  const value = column ? row[column.name] : undefined;
  if (!column || value === null || value === undefined) return undefined;
  if (column.kind === 'time') {
    const time = chart.query.timeDimension;
    if (!time) return undefined;
    // The column is named `ordered_at.month`; the filter is on the member, for the bucket's first
    // day, which the server turns into the bucket's [start, end) range.
    return { member: time.member, value: String(value).slice(0, 10), granularity: (time.granularity ?? 'day') as Granularity, chart: chart.id };
  }
  return { member: column.name, value, chart: chart.id };
}

/** Whether `filter` is the active cross-filter (same member, same value). */
export function isActiveCrossFilter(active: readonly CrossFilter[] | undefined, filter: CrossFilter | undefined): boolean {
  return filter !== undefined && (active ?? []).some((f) => f.member === filter.member && f.value === filter.value);
}

export interface CrossFilterBarInput {
  definition: DashboardDefinition;
  filters: readonly CrossFilter[];
  locale?: string | undefined;
  onRemove: (filter: CrossFilter) => void;
  onClear: () => void;
}

/**
 * The chips of the active cross-filters, each a button that removes it, and "Clear all".
 * Values are rendered as text (they come from the data).
 */
export function crossFilterBar({ definition, filters, locale, onRemove, onClear }: CrossFilterBarInput): TemplateResult | typeof nothing {
  if (filters.length === 0) return nothing;
  return html`<div class="cross-filters" part="cross-filters" role="group" aria-label="Filters from clicked values">
    <span class="cross-label">Filtered by</span>
    <ul>
      ${filters.map((filter) => {
        const text = `${memberTitle(definition, filter.member)}: ${crossFilterLabel(filter, locale)}`;
        return html`<li class="chip" part="chip" data-member=${filter.member}>
          <span class="chip-text">${text}</span>
          <button type="button" class="chip-remove" aria-label=${`Remove filter ${text}`} @click=${() => onRemove(filter)}><span aria-hidden="true">✕</span></button>
        </li>`;
      })}
    </ul>
    <button type="button" class="link clear-cross" @click=${onClear}>Clear all</button>
  </div>`;
}

/** The note of a tile that cannot be filtered by some of the clicked values. */
export function unappliedNote(definition: DashboardDefinition, unapplied: readonly string[] | undefined): TemplateResult | typeof nothing {
  if (!unapplied || unapplied.length === 0) return nothing;
  const titles = unapplied.map((m) => memberTitle(definition, m)).join(', ');
  return html`<p class="cross-note" part="cross-note">Not filtered by ${titles}: this chart's data has no ${titles}.</p>`;
}
