import { html, nothing, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { DashboardChartDefinition, DashboardDefinition, DashboardLayoutCell } from '@perch/protocol';
import type { Catalog } from './editor-client.js';

export type DragKind = 'move' | 'resize';

export interface EditorGridInput {
  draft: DashboardDefinition;
  /** The layout shown: the draft's, or the one a drag in progress would give. */
  layout: readonly DashboardLayoutCell[];
  catalog: Catalog;
  dragging: string | undefined;
  onKey: (chart: string, event: KeyboardEvent) => void;
  onPointerDown: (chart: string, kind: DragKind, event: PointerEvent) => void;
  onEdit: (chart: string) => void;
  onRemove: (chart: string) => void;
  onNudge: (chart: string, kind: DragKind, dx: number, dy: number) => void;
  /** The tile's data, drawn as the dashboard draws it. */
  body: (chart: DashboardChartDefinition) => TemplateResult;
}

const TYPE_LABEL: Record<DashboardChartDefinition['type'], string> = { kpi: 'KPI', bar: 'Bar chart', line: 'Line chart', area: 'Area chart', pie: 'Pie chart', table: 'Table' };

/** "Revenue, Orders by Region" from the catalog's titles. */
function querySummary(chart: DashboardChartDefinition, catalog: Catalog): string {
  const dataset = catalog.datasets.find((d) => d.name === chart.query.dataset);
  const title = (name: string) => dataset?.members.find((m) => m.name === name)?.title ?? name;
  const measures = (chart.query.measures ?? []).map(title).join(', ');
  const by = [...(chart.query.dimensions ?? []).map(title), ...(chart.query.timeDimension ? [`${title(chart.query.timeDimension.member)} (${chart.query.timeDimension.granularity ?? 'day'})`] : [])].join(', ');
  return [measures, by && `by ${by}`].filter(Boolean).join(' ');
}

/**
 * The editable grid: each tile shows its title, type and query in words, a handle to drag it, a
 * corner to resize it, and a "Layout" menu with the same moves as buttons (for touch screens and
 * for anyone who prefers buttons to arrow keys).
 */
export function editorGridView(input: EditorGridInput): TemplateResult {
  const byId = new Map(input.draft.charts.map((c) => [c.id, c] as const));
  if (input.layout.length === 0) {
    return html`<div class="grid-empty" part="empty"><p>This dashboard has no tiles yet.</p><p class="hint">Press “Add tile” to choose a dataset and build the first one.</p></div>`;
  }
  return html`<div class="grid editor-grid" part="grid" role="list" aria-label="Tiles">
    ${input.layout.map((cell) => {
      const chart = byId.get(cell.chart);
      if (!chart) return nothing;
      const title = chart.title || chart.id;
      const place = styleMap({ '--_x': String(cell.x + 1), '--_y': String(cell.y + 1), '--_w': String(cell.w), '--_h': String(cell.h) });
      return html`<section
        class="tile edit-tile"
        part="tile edit-tile"
        role="listitem"
        tabindex="0"
        aria-label=${`${title}, ${TYPE_LABEL[chart.type]}, column ${cell.x + 1}, row ${cell.y + 1}, ${cell.w} columns wide, ${cell.h} rows high`}
        aria-describedby="grid-help"
        data-chart=${chart.id}
        data-type=${chart.type}
        data-x=${cell.x}
        data-y=${cell.y}
        data-w=${cell.w}
        data-h=${cell.h}
        ?data-dragging=${input.dragging === chart.id}
        style=${place}
        @keydown=${(e: KeyboardEvent) => input.onKey(chart.id, e)}
      >
        <div class="tile-head">
          <span class="drag-handle" part="drag-handle" title="Drag to move" aria-hidden="true" @pointerdown=${(e: PointerEvent) => input.onPointerDown(chart.id, 'move', e)}>⠿</span>
          <h3 class="tile-title" part="tile-title">${title}</h3>
          <div class="tile-actions">
            <button type="button" class="edit-tile-button" aria-label=${`Edit ${title}`} @click=${() => input.onEdit(chart.id)}>Edit</button>
            <button type="button" class="remove-tile" aria-label=${`Remove ${title}`} @click=${() => input.onRemove(chart.id)}>Remove</button>
          </div>
        </div>
        <p class="tile-query"><span class="tile-kind">${TYPE_LABEL[chart.type]}</span> · ${querySummary(chart, input.catalog)}</p>
        <div class="tile-body" part="tile-body">${input.body(chart)}</div>
        <details class="layout-menu" part="layout-menu">
          <summary aria-label=${`Layout of ${title}`}>Layout</summary>
          <div class="nudges" role="group" aria-label=${`Move or resize ${title}`}>
            <button type="button" aria-label="Move left" @click=${() => input.onNudge(chart.id, 'move', -1, 0)}>←</button>
            <button type="button" aria-label="Move right" @click=${() => input.onNudge(chart.id, 'move', 1, 0)}>→</button>
            <button type="button" aria-label="Move up" @click=${() => input.onNudge(chart.id, 'move', 0, -1)}>↑</button>
            <button type="button" aria-label="Move down" @click=${() => input.onNudge(chart.id, 'move', 0, 1)}>↓</button>
            <button type="button" aria-label="Narrower" @click=${() => input.onNudge(chart.id, 'resize', -1, 0)}>− W</button>
            <button type="button" aria-label="Wider" @click=${() => input.onNudge(chart.id, 'resize', 1, 0)}>+ W</button>
            <button type="button" aria-label="Shorter" @click=${() => input.onNudge(chart.id, 'resize', 0, -1)}>− H</button>
            <button type="button" aria-label="Taller" @click=${() => input.onNudge(chart.id, 'resize', 0, 1)}>+ H</button>
          </div>
        </details>
        <span class="resize-handle" part="resize-handle" title="Drag to resize" aria-hidden="true" @pointerdown=${(e: PointerEvent) => input.onPointerDown(chart.id, 'resize', e)}></span>
      </section>`;
    })}
  </div>`;
}
