import { html, nothing, type TemplateResult } from 'lit';
import type { ChartDefinition } from '../types.js';

export interface TileActionsInput {
  chart: ChartDefinition;
  expanded: boolean;
  /** The dashboard allows CSV export and the tile has data. */
  canExport: boolean;
  /** A drawn chart (not a KPI or a table) with data. */
  canPng: boolean;
  /** The chart is shown as its data table instead of the canvas. */
  asTable: boolean;
  onTable: () => void;
  onCsv: () => void;
  onPng: () => void;
  onExpand: () => void;
}

/**
 * A tile's header buttons: CSV, the chart's data as a table (its text alternative), PNG (charts),
 * and full screen. Each names its tile for screen readers.
 */
export function tileActions({ chart, expanded, canExport, canPng, asTable, onTable, onCsv, onPng, onExpand }: TileActionsInput): TemplateResult {
  return html`<div class="tile-actions">
    ${canExport ? html`<button class="export" part="export-button" type="button" aria-label=${`Export ${chart.title} as CSV`} @click=${onCsv}>CSV</button>` : nothing}
    ${canPng
      ? html`<button class="data-table" part="table-button" type="button" aria-pressed=${asTable ? 'true' : 'false'} aria-label=${`Show ${chart.title} as a table`} @click=${onTable}>Table</button>`
      : nothing}
    ${canPng && !asTable ? html`<button class="png" part="png-button" type="button" aria-label=${`Save ${chart.title} as PNG`} @click=${onPng}>PNG</button>` : nothing}
    <button class="expand" part="expand-button" type="button" aria-pressed=${expanded ? 'true' : 'false'} aria-label=${expanded ? `Close full screen ${chart.title}` : `Show ${chart.title} full screen`} @click=${onExpand}>
      <span aria-hidden="true">${expanded ? '✕' : '⤢'}</span>
    </button>
  </div>`;
}
