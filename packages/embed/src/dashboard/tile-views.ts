import { html, nothing, svg, type TemplateResult } from 'lit';
import type { Granularity } from '@perch/protocol';
import type { ChartDefinition, MeasureFormat, QueryResponse } from '../types.js';
import { formatCell, formatMeasure } from '../format/formatters.js';

/*
 * Text-only tile bodies. Every value goes through a Lit text binding, which sets textContent:
 * a dimension value such as `<img src=x onerror=alert(1)>` is displayed, never parsed.
 */

/** A result column's label: the model's title, or the column name when the model has none. */
export function columnTitle(chart: ChartDefinition, column: string): string {
  return chart.members?.[column]?.title ?? column;
}

/** A measure column's format: the member's own, else the chart's. */
function columnFormat(chart: ChartDefinition, column: string): MeasureFormat | undefined {
  return chart.members?.[column]?.format ?? chart.format?.measure;
}

/**
 * The KPI tile: the first measure of the first row, formatted, and, when the previous period's
 * value is known, the change against it (▲/▼ with a percentage, and words for screen readers).
 * A KPI with a time dimension shows its latest bucket, the change against the bucket before it,
 * and a sparkline of every bucket.
 */
export function kpiView(chart: ChartDefinition, result: QueryResponse, locale?: string, previous?: QueryResponse): TemplateResult {
  const measure = result.columns.find((c) => c.kind === 'measure') ?? result.columns[0];
  const format = chart.format?.measure ?? (measure ? columnFormat(chart, measure.name) : undefined);
  const time = result.columns.find((c) => c.kind === 'time');
  if (measure && time && result.rows.length > 1) return trendKpiView(chart, result, measure.name, time.name, format, locale);
  const value = measure ? (result.rows[0]?.[measure.name] ?? null) : null;
  const before = measure && previous ? (previous.rows[0]?.[measure.name] ?? null) : null;
  return html`<div class="kpi" part="kpi">${formatMeasure(value, format, locale)}</div>${changeView(percentChange(value, before), 'vs previous period', locale)}`;
}

function changeView(change: number | undefined, against: string, locale?: string): TemplateResult | typeof nothing {
  if (change === undefined) return nothing;
  return html`<p class=${`kpi-change ${change > 0 ? 'up' : change < 0 ? 'down' : 'flat'}`} part="kpi-change">
    <span aria-hidden="true">${change > 0 ? '▲' : change < 0 ? '▼' : '■'}</span>
    <span class="visually-hidden">${change > 0 ? 'Up' : change < 0 ? 'Down' : 'Unchanged'}</span>
    ${formatPercent(Math.abs(change), locale)} <span class="kpi-vs">${against}</span>
  </p>`;
}

function trendKpiView(chart: ChartDefinition, result: QueryResponse, measure: string, time: string, format: MeasureFormat | undefined, locale?: string): TemplateResult {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  // ISO timestamps sort as text; the query's own order may be by the measure.
  const rows = [...result.rows].sort((a, b) => String(a[time]).localeCompare(String(b[time])));
  const last = rows[rows.length - 1]!;
  const before = rows[rows.length - 2]!;
  const bucket = (row: (typeof rows)[number]) => formatCell(row[time] ?? null, 'time', { granularity, locale });
  const values = rows.map((row) => Number(row[measure]));
  const label = `${columnTitle(chart, measure)} from ${bucket(rows[0]!)} (${formatMeasure(rows[0]![measure] ?? null, format, locale)}) to ${bucket(last)} (${formatMeasure(last[measure] ?? null, format, locale)})`;
  return html`<div class="kpi" part="kpi">${formatMeasure(last[measure] ?? null, format, locale)}</div>
    <p class="kpi-period" part="kpi-period">${bucket(last)}</p>
    ${changeView(percentChange(last[measure], before[measure]), `vs ${bucket(before)}`, locale)}
    ${sparklineView(values, label)}`;
}

/** A line of the values, scaled to the tile's width; its accessible name states first and last. */
export function sparklineView(values: readonly number[], label: string): TemplateResult | typeof nothing {
  const finite = values.filter(Number.isFinite);
  if (finite.length < 2) return nothing;
  const min = Math.min(...finite);
  const span = Math.max(...finite) - min || 1;
  const points = values
    .map((v, i) => (Number.isFinite(v) ? `${((i / (values.length - 1)) * 100).toFixed(2)},${(26 - ((v - min) / span) * 24).toFixed(2)}` : ''))
    .filter((p) => p !== '')
    .join(' ');
  return html`<svg class="sparkline" part="sparkline" viewBox="0 0 100 28" preserveAspectRatio="none" role="img" aria-label=${label}>
    ${svg`<polyline points=${points} fill="none" stroke="currentColor" stroke-width="2" vector-effect="non-scaling-stroke"></polyline>`}
  </svg>`;
}

/** The change from `before` to `now` as a fraction; undefined when there is no usable base. */
export function percentChange(now: unknown, before: unknown): number | undefined {
  const a = typeof now === 'number' ? now : Number(now);
  const b = typeof before === 'number' ? before : Number(before);
  if (now === null || before === null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return undefined;
  return (a - b) / Math.abs(b);
}

function formatPercent(fraction: number, locale: string | undefined): string {
  return new Intl.NumberFormat(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fraction);
}

/** A table whose rows filter the other tiles: a click (or Enter on the row's button) toggles the row's value. */
export interface RowFilter {
  isActive: (row: QueryResponse['rows'][number]) => boolean;
  /** `at`: the viewport point of the click, or the button's corner for a key press. */
  onRow: (row: QueryResponse['rows'][number], at: { x: number; y: number }) => void;
}

/** A table's sort: a result column and a direction. */
export interface TableSort {
  column: string;
  direction: 'ascending' | 'descending';
}

/**
 * The rows in the order of `sort` (numbers as numbers, text by the locale, empty cells last);
 * the server's order when there is no sort. The rows are the ones Perch returned for the tile,
 * so sorting sends no query.
 */
export function sortRows(result: QueryResponse, sort: TableSort | undefined, locale?: string): QueryResponse['rows'] {
  if (!sort || !result.columns.some((c) => c.name === sort.column)) return result.rows;
  const collator = new Intl.Collator(locale, { numeric: true, sensitivity: 'base' });
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...result.rows].sort((a, b) => {
    const x = a[sort.column] ?? null;
    const y = b[sort.column] ?? null;
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const nx = typeof x === 'number' ? x : Number(x);
    const ny = typeof y === 'number' ? y : Number(y);
    if (Number.isFinite(nx) && Number.isFinite(ny) && typeof x !== 'boolean' && String(x).trim() !== '' && String(y).trim() !== '') return sign * (nx - ny);
    return sign * collator.compare(String(x), String(y));
  });
}

/** The next sort after a click on a column's header: ascending, then descending, then ascending. */
export function nextSort(current: TableSort | undefined, column: string, kind: 'dimension' | 'measure' | 'time'): TableSort {
  if (current?.column === column) return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
  // Measures are read largest first; names and dates from the start.
  return { column, direction: kind === 'measure' ? 'descending' : 'ascending' };
}

/**
 * The table tile: the model's titles as headers, each cell formatted by its member's format.
 * Each header is a button that sorts the rows; the header cell carries `aria-sort`.
 */
export function tableView(
  chart: ChartDefinition,
  result: QueryResponse,
  locale?: string,
  sorting?: { sort: TableSort | undefined; onSort: (sort: TableSort) => void },
  rowFilter?: RowFilter,
): TemplateResult {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  const sort = sorting?.sort;
  const rows = sortRows(result, sort, locale);
  // The column whose value a row filters by: its time bucket, else its first dimension.
  const key = rowFilter ? (result.columns.find((c) => c.kind === 'time') ?? result.columns.find((c) => c.kind === 'dimension'))?.name : undefined;
  return html`<table part="table">
      <caption class="visually-hidden">${chart.title}</caption>
      <thead>
        <tr>
          ${result.columns.map((c) => {
            const title = columnTitle(chart, c.name);
            const state = sort?.column === c.name ? sort.direction : 'none';
            // No whitespace around the cell's content: a header's text is exactly its title.
            const content = sorting
              ? html`<button type="button" class="sort" @click=${() => sorting.onSort(nextSort(sort, c.name, c.kind))}>${title}<span class="sort-mark" aria-hidden="true">${state === 'ascending' ? '▲' : state === 'descending' ? '▼' : ''}</span></button>`
              : title;
            return html`<th scope="col" class=${c.kind === 'measure' ? 'num' : ''} data-member=${c.name} aria-sort=${sorting ? state : nothing}>${content}</th>`;
          })}
        </tr>
      </thead>
      <tbody>
        ${rows.map((row) => {
          const text = (c: QueryResponse['columns'][number]) => formatCell(row[c.name] ?? null, c.kind, { granularity, measure: columnFormat(chart, c.name), locale });
          if (!rowFilter || key === undefined) return html`<tr>${result.columns.map((c) => html`<td class=${c.kind === 'measure' ? 'num' : ''}>${text(c)}</td>`)}</tr>`;
          const active = rowFilter.isActive(row);
          // The whole row takes a pointer click; the key cell is a real button, so the keyboard
          // (Tab, Enter, Space) and screen readers reach the same action.
          return html`<tr class="filterable" ?data-active=${active} @click=${(e: MouseEvent) => rowFilter.onRow(row, { x: e.clientX, y: e.clientY })}>
            ${result.columns.map((c) =>
              c.name === key
                ? html`<td><button type="button" class="row-filter" aria-pressed=${active ? 'true' : 'false'} @click=${(e: MouseEvent) => { e.stopPropagation(); rowFilter.onRow(row, pointOf(e)); }}>${text(c)}</button></td>`
                : html`<td class=${c.kind === 'measure' ? 'num' : ''}>${text(c)}</td>`,
            )}
          </tr>`;
        })}
      </tbody>
    </table>
    ${result.meta.truncated ? html`<p class="truncated">Showing the first ${result.rows.length} rows.</p>` : nothing}`;
}

/**
 * True when a result has nothing to show: no rows, or only empty measures. Over no rows a sum is
 * null but a count is 0, so a KPI of "0" next to one of "—" is one empty state, not two numbers.
 */
export function isEmptyResult(result: QueryResponse): boolean {
  if (result.rows.length === 0) return true;
  const measures = result.columns.filter((c) => c.kind === 'measure');
  const blank = (value: unknown) => value === null || value === undefined || value === 0 || value === '0';
  return measures.length > 0 && result.rows.every((row) => measures.every((m) => blank(row[m.name])));
}

/** Where a button was activated: the pointer, or (Enter/Space, which report 0,0) its lower-left corner. */
function pointOf(event: MouseEvent): { x: number; y: number } {
  if (event.detail > 0) return { x: event.clientX, y: event.clientY };
  const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
  return { x: box.left, y: box.bottom };
}
