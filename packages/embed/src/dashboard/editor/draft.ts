import type { DashboardChartDefinition, DashboardDefinition, DashboardView, MemberLabel, MeasureFormat } from '@perch/protocol';
import type { ChartDefinition } from '../../types.js';
import type { CatalogDataset } from './editor-types.js';

/*
 * The editor's working copy is the stored form itself (`DashboardDefinition`, the body of a save),
 * so what the maker sees is exactly what Perch will validate: no second model to drift from it.
 */

/** Dashboard and chart ids: identifiers, as the semantic model requires. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The stored form of a dashboard rebuilt from its view (`GET /v1/dashboards/{id}`): only the
 * charts this token may run, and only their layout cells.
 *
 * @example
 * definitionFromView(view).charts.every((c) => view.charts.find((v) => v.id === c.id)?.permitted) // true
 */
export function definitionFromView(view: DashboardView): DashboardDefinition {
  const charts: DashboardChartDefinition[] = view.charts
    .filter((c) => c.permitted)
    .map((c) => ({ id: c.id, type: c.type, title: c.title, ...(c.description !== undefined ? { description: c.description } : {}), query: c.query }));
  const ids = new Set(charts.map((c) => c.id));
  return {
    id: view.id,
    title: view.title,
    ...(view.description !== undefined ? { description: view.description } : {}),
    charts,
    layout: view.layout.items.filter((item) => ids.has(item.chart)).map(({ chart, x, y, w, h }) => ({ chart, x, y, w, h })),
    filters: { ...(view.filters.dateRange ? { dateRange: view.filters.dateRange } : {}), pickers: view.filters.pickers.map((p) => ({ member: p.member, title: p.title })) },
  };
}

/**
 * An identifier from a title (`"Q3 revenue!"` → `q3_revenue`), made unique against `taken` with a
 * numeric suffix.
 *
 * @example
 * slugId('Sales overview', new Set(['sales_overview'])) // 'sales_overview_2'
 */
export function slugId(title: string, taken: ReadonlySet<string>): string {
  const base =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'dashboard';
  const start = IDENTIFIER.test(base) ? base : `d_${base}`;
  if (!taken.has(start)) return start;
  for (let n = 2; ; n++) if (!taken.has(`${start}_${n}`)) return `${start}_${n}`;
}

/** A new, empty dashboard the maker starts from. */
export function emptyDefinition(title: string, taken: ReadonlySet<string>): DashboardDefinition {
  return { id: slugId(title, taken), title, charts: [], layout: [], filters: { pickers: [] } };
}

/** A chart id not used yet in `definition`. */
export function nextChartId(definition: DashboardDefinition): string {
  const used = new Set(definition.charts.map((c) => c.id));
  for (let n = definition.charts.length + 1; ; n++) if (!used.has(`tile_${n}`)) return `tile_${n}`;
}

/** Whether two working copies would save the same dashboard (the "unsaved changes" test). */
export function sameDefinition(a: DashboardDefinition, b: DashboardDefinition): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The model's format names (`currency`, `integer`, `percent`) as the tile views' number formats. */
function formatOf(format: string | undefined): MeasureFormat | undefined {
  if (format === 'currency') return { style: 'currency', currency: 'USD', decimals: 2 };
  if (format === 'integer') return { style: 'number', decimals: 0 };
  if (format === 'percent') return { style: 'number', decimals: 1 };
  return undefined;
}

/**
 * A chart as the tile views draw it (the view form), from the maker's draft and the catalog's
 * titles, so the preview reuses the dashboard's own KPI, table and chart rendering.
 */
export function previewChart(chart: DashboardChartDefinition, dataset: CatalogDataset | undefined): ChartDefinition {
  const members: Record<string, MemberLabel> = {};
  for (const member of dataset?.members ?? []) {
    const format = formatOf(member.format);
    members[member.name] = { title: member.title, ...(format ? { format } : {}) };
  }
  return { id: chart.id, type: chart.type, title: chart.title ?? chart.id, query: chart.query, permitted: true, members };
}
