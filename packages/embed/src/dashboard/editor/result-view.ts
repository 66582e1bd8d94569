import { html, type TemplateResult } from 'lit';
import type { DashboardChartDefinition } from '@perch/protocol';
import { buildChartConfig, type ChartPalette } from '../../charts/chart-options.js';
import type { QueryResponse } from '../../types.js';
import { isEmptyResult, kpiView, tableView } from '../tile-views.js';
import { skeletonView } from '../status-views.js';
import type { CatalogDataset } from './editor-types.js';
import type { PreviewState } from './preview-controller.js';
import { previewChart } from './draft.js';
import { failureView } from './failure-view.js';

/**
 * A draft chart's result drawn with the dashboard's own views (KPI, table, Chart.js), in each
 * state of its query: waiting, loading (the last result dimmed), failed, empty, ready.
 *
 * @example
 * previewStateView(preview.state, chart, dataset, readPalette(this), 'en-US', 'Pick a measure.');
 */
export function previewStateView(
  state: PreviewState,
  draft: DashboardChartDefinition,
  dataset: CatalogDataset | undefined,
  palette: ChartPalette,
  locale: string | undefined,
  idle: string,
): TemplateResult {
  const chart = previewChart(draft, dataset);
  switch (state.status) {
    case 'idle':
      return html`<p class="hint">${idle}</p>`;
    case 'loading':
      return html`<div class="preview-body" aria-busy="true">${state.previous ? html`<div class="updating">${resultView(chart, state.previous, palette, locale)}</div>` : skeletonView()}</div>`;
    case 'error':
      return html`<div class="preview-body">${failureView(state.failure, 'The preview could not run.')}</div>`;
    case 'ready':
      return html`<div class="preview-body" data-status="ready">
        ${isEmptyResult(state.result) ? html`<div class="empty" part="empty" role="status"><p>No data for this query.</p></div>` : resultView(chart, state.result, palette, locale)}
      </div>`;
  }
}

function resultView(chart: ReturnType<typeof previewChart>, result: QueryResponse, palette: ChartPalette, locale: string | undefined): TemplateResult {
  if (chart.type === 'kpi') return kpiView(chart, result, locale);
  if (chart.type === 'table') return tableView(chart, result, locale);
  return html`<tc-chart .option=${buildChartConfig(chart, result, palette, locale)} label=${chart.title}></tc-chart>`;
}
