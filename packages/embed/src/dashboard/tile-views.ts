import { html, nothing, type TemplateResult } from 'lit';
import type { Granularity } from '@perch/protocol';
import type { ChartDefinition, QueryResponse } from '../types.js';
import { formatCell, formatMeasure } from '../format/formatters.js';

/*
 * Text-only tile bodies. Every value goes through a Lit text binding, which sets textContent:
 * a dimension value such as `<img src=x onerror=alert(1)>` is displayed, never parsed.
 */

/** The KPI tile: the first measure of the first row, formatted. */
export function kpiView(chart: ChartDefinition, result: QueryResponse, locale?: string): TemplateResult {
  const measure = result.columns.find((c) => c.kind === 'measure') ?? result.columns[0];
  const value = measure ? (result.rows[0]?.[measure.name] ?? null) : null;
  return html`<div class="kpi" part="kpi">${formatMeasure(value, chart.format?.measure, locale)}</div>`;
}

/** The table tile: column names as headers, formatted cells. */
export function tableView(chart: ChartDefinition, result: QueryResponse, locale?: string): TemplateResult {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  const measure = chart.format?.measure;
  return html`<table part="table">
      <thead>
        <tr>
          ${result.columns.map((c) => html`<th scope="col" class=${c.kind === 'measure' ? 'num' : ''}>${c.name}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${result.rows.map(
          (row) => html`<tr>
            ${result.columns.map(
              (c) => html`<td class=${c.kind === 'measure' ? 'num' : ''}>${formatCell(row[c.name] ?? null, c.kind, { granularity, measure, locale })}</td>`,
            )}
          </tr>`,
        )}
      </tbody>
    </table>
    ${result.meta.truncated ? html`<p class="truncated">Showing the first ${result.rows.length} rows.</p>` : nothing}`;
}
