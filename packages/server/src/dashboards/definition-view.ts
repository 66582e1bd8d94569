import { PerchError, type DashboardDefinition, type DashboardLayoutCell, type EmbedTokenClaims } from '@perch/protocol';
import { catalogFor, compileQuery, type Dashboard, type DialectName, type EngineOptions, type Model } from '@perch/engine';

export interface CompileOptions {
  model: Model;
  dialect: DialectName;
  engine: EngineOptions;
}

/**
 * Whether this token can run the chart's query: it compiles, member rules and RLS included.
 * Any refusal counts (a hidden member, a missing RLS attribute): the editor must not show a
 * chart the maker could not save again.
 *
 * @example
 * ```ts
 * chartRuns({ model, dialect: 'duckdb', engine: { maxLimit: 50_000 } }, claims, { dataset: 'orders', measures: ['margin'] }) // false for a viewer
 * ```
 */
export function chartRuns(options: CompileOptions, claims: EmbedTokenClaims, query: unknown): boolean {
  try {
    compileQuery(options.model, query, claims.user, options.dialect, options.engine);
    return true;
  } catch (error) {
    if (error instanceof PerchError) return false;
    throw error;
  }
}

export interface DefinitionForToken {
  definition: DashboardDefinition;
  /** Charts left out because this token cannot run them. */
  omittedCharts: string[];
  /** Whether anything (a chart, a layout cell, a filter) was left out. */
  trimmed: boolean;
}

/**
 * A dashboard's stored form as one maker may read it to edit it. A chart this token cannot run
 * is left out with its layout cell, and a filter on a member the token's catalog hides is left
 * out too: the answer never names a member this token may not see. Something left out means the
 * caller must not offer to save over the dashboard, since saving would drop it for everyone.
 *
 * @example
 * ```ts
 * definitionForToken(model.dashboards.get('sales')!, claims, { model, dialect: 'duckdb', engine: { maxLimit: 50_000 } })
 * // { definition: { id: 'sales', title: 'Sales overview', charts: [...], layout: [...] }, omittedCharts: [], trimmed: false }
 * ```
 */
export function definitionForToken(dashboard: Dashboard, claims: EmbedTokenClaims, options: CompileOptions): DefinitionForToken {
  const omittedCharts: string[] = [];
  const charts: DashboardDefinition['charts'] = [];
  for (const chart of dashboard.charts) {
    if (!chartRuns(options, claims, chart.query)) {
      omittedCharts.push(chart.id);
      continue;
    }
    charts.push({
      id: chart.id,
      type: chart.type,
      ...(chart.title !== undefined ? { title: chart.title } : {}),
      ...(chart.description !== undefined ? { description: chart.description } : {}),
      query: structuredClone(chart.query) as DashboardDefinition['charts'][number]['query'],
    });
  }
  const kept = new Set(charts.map((c) => c.id));
  const layout: DashboardLayoutCell[] = dashboard.layout.filter((cell) => kept.has(cell.chart)).map((cell) => ({ chart: cell.chart, x: cell.x, y: cell.y, w: cell.w, h: cell.h }));

  const visible = new Set(catalogFor(options.model, claims.user).datasets.flatMap((d) => d.members.filter((m) => m.kind === 'dimension').map((m) => `${d.name}:${m.name}`)));
  const datasets = new Set(dashboard.charts.map((c) => c.query.dataset));
  const seen = (member: string) => [...datasets].some((dataset) => visible.has(`${dataset}:${member}`));
  let droppedFilters = 0;
  let filters: DashboardDefinition['filters'];
  if (dashboard.filters) {
    const pickers = dashboard.filters.pickers.filter((p) => seen(p.member)).map((p) => ({ member: p.member, ...(p.title !== undefined ? { title: p.title } : {}) }));
    droppedFilters += dashboard.filters.pickers.length - pickers.length;
    const range = dashboard.filters.dateRange;
    const dateRange = range && seen(range.member) ? { member: range.member, ...(range.default !== undefined ? { default: structuredClone(range.default) as string | [string, string] } : {}) } : undefined;
    if (range && !dateRange) droppedFilters += 1;
    filters = { ...(dateRange ? { dateRange } : {}), pickers };
  }

  const definition: DashboardDefinition = {
    id: dashboard.id,
    title: dashboard.title,
    ...(dashboard.description !== undefined ? { description: dashboard.description } : {}),
    charts,
    layout,
    ...(filters ? { filters } : {}),
  };
  return { definition, omittedCharts, trimmed: omittedCharts.length > 0 || droppedFilters > 0 };
}
