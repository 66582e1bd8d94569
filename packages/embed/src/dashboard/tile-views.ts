import { html, nothing, type TemplateResult } from 'lit';
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

/** The KPI tile: the first measure of the first row, formatted, named by its title for screen readers. */
export function kpiView(chart: ChartDefinition, result: QueryResponse, locale?: string): TemplateResult {
  const measure = result.columns.find((c) => c.kind === 'measure') ?? result.columns[0];
  const value = measure ? (result.rows[0]?.[measure.name] ?? null) : null;
  return html`<div class="kpi" part="kpi">${formatMeasure(value, chart.format?.measure ?? (measure ? columnFormat(chart, measure.name) : undefined), locale)}</div>`;
}

/** The table tile: the model's titles as headers, each cell formatted by its member's format. */
export function tableView(chart: ChartDefinition, result: QueryResponse, locale?: string): TemplateResult {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  return html`<table part="table">
      <thead>
        <tr>
          ${result.columns.map((c) => html`<th scope="col" class=${c.kind === 'measure' ? 'num' : ''} data-member=${c.name}>${columnTitle(chart, c.name)}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${result.rows.map(
          (row) => html`<tr>
            ${result.columns.map(
              (c) => html`<td class=${c.kind === 'measure' ? 'num' : ''}>${formatCell(row[c.name] ?? null, c.kind, { granularity, measure: columnFormat(chart, c.name), locale })}</td>`,
            )}
          </tr>`,
        )}
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
