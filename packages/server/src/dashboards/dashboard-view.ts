import { PerchError, type DashboardChartView, type DashboardView, type EmbedTokenClaims, type MeasureFormat, type MemberLabel, type SemanticQueryInput } from '@perch/protocol';
import { drillLevels } from '../query/drill-path.js';
import { catalogFor, compileQuery, type Dashboard, type DialectName, type EngineOptions, type Model } from '@perch/engine';

export type { DashboardChartView, DashboardView } from '@perch/protocol';

export interface ViewOptions {
  model: Model;
  dialect: DialectName;
  engine: EngineOptions;
  canExport: boolean;
}

const COLUMNS = 12;

/** Access refusals that mean "this user may not see this chart", as opposed to a broken query. */
const HIDDEN_CODES = new Set(['member_forbidden', 'dataset_forbidden']);

function chartPermitted(options: Pick<ViewOptions, 'model' | 'dialect' | 'engine'>, claims: EmbedTokenClaims, query: unknown): boolean {
  try {
    compileQuery(options.model, query, claims.user, options.dialect, options.engine);
    return true;
  } catch (error) {
    if (error instanceof PerchError && HIDDEN_CODES.has(error.code)) return false;
    // Anything else (e.g. a missing RLS attribute) is reported by the tile's own query, with its code.
    return true;
  }
}

/**
 * The levels a chart drills down to, with their titles, as far as this user may see them: a level
 * whose member the user's role may not query ends the path (the drilled query would be refused).
 */
function drillView(options: Pick<ViewOptions, 'model' | 'dialect' | 'engine'>, claims: EmbedTokenClaims, query: SemanticQueryInput): NonNullable<DashboardChartView['drill']> {
  const levels: NonNullable<DashboardChartView['drill']> = [];
  for (const level of drillLevels(options.model, query)) {
    if (!level.granularity && !chartPermitted(options, claims, { dataset: query.dataset, measures: query.measures ?? [], dimensions: [level.member] })) break;
    const title = describeMember(options.model, query.dataset, level.member)?.title ?? humanize(level.member);
    levels.push({ member: level.member, title, ...(level.granularity ? { granularity: level.granularity } : {}) });
  }
  return levels;
}

/** Ids of the charts this user may see, by the same rule as `permitted` in `presentDashboard`. */
export function permittedChartIds(dashboard: Dashboard, claims: EmbedTokenClaims, options: Pick<ViewOptions, 'model' | 'dialect' | 'engine'>): string[] {
  return dashboard.charts.filter((chart) => chartPermitted(options, claims, chart.query)).map((chart) => chart.id);
}

/**
 * The chart's measure format, from the model. The components apply one format to every measure of
 * a chart, so it is sent only when all the chart's measures share it (revenue and units do not).
 */
function measureFormat(model: Model, query: SemanticQueryInput): DashboardChartView['format'] {
  const measures = model.datasets.get(query.dataset)?.measures;
  const formats = new Set((query.measures ?? []).map((name) => measures?.get(name)?.format));
  if (formats.size !== 1) return undefined;
  const [format] = formats;
  if (format === 'currency') return { measure: { style: 'currency', currency: 'USD', decimals: 0 } };
  if (format === 'integer') return { measure: { style: 'number', decimals: 0 } };
  return undefined;
}

/**
 * One member's number format for tables and tooltips, where every column keeps its own format.
 * Currency shows cents here (a table row is read exactly; a KPI is read at a glance), and
 * `percent` members already hold percentage points, so they are plain numbers with one decimal.
 */
function memberFormat(format: string | undefined): MeasureFormat | undefined {
  if (format === 'currency') return { style: 'currency', currency: 'USD', decimals: 2 };
  if (format === 'integer') return { style: 'number', decimals: 0 };
  if (format === 'percent') return { style: 'number', decimals: 1 };
  return undefined;
}

/**
 * Titles and formats of a permitted chart's members, keyed as the result columns are named. A
 * joined dimension (`product.name`) takes the joined dataset's title for it ("Product").
 */
function memberLabels(model: Model, query: SemanticQueryInput): Record<string, MemberLabel> {
  const labels: Record<string, MemberLabel> = {};
  const names = [...(query.measures ?? []), ...(query.dimensions ?? []), ...(query.timeDimension ? [query.timeDimension.member] : [])];
  for (const name of names) {
    const member = describeMember(model, query.dataset, name);
    const format = memberFormat(member?.format);
    labels[name] = { title: member?.title ?? humanize(name), ...(format ? { format } : {}) };
  }
  return labels;
}

function describeMember(model: Model, datasetName: string, name: string): { title: string | undefined; format: string | undefined } | undefined {
  const dataset = model.datasets.get(datasetName);
  if (!dataset) return undefined;
  const [head, tail] = name.split('.', 2);
  if (tail === undefined) return dataset.dimensions.get(name) ?? dataset.measures.get(name);
  const join = dataset.joins.get(head ?? '');
  return join ? model.datasets.get(join.dataset)?.dimensions.get(tail) : undefined;
}

/**
 * The model's title of each result column of a query on `dataset` (a humanized name when the
 * model has none), for CSV header rows.
 *
 * @example
 * memberTitles(model, 'orders', ['revenue', 'product.name']) // { revenue: 'Revenue', 'product.name': 'Product' }
 */
export function memberTitles(model: Model, dataset: string, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, describeMember(model, dataset, name)?.title ?? humanize(name)]));
}

function humanize(name: string): string {
  const words = name.replace(/[._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The definition of a dashboard as one user may see it: charts whose members the user may not see
 * are marked `permitted: false` and their queries stripped, and filters on hidden members are
 * omitted, so the response never names a member the catalog would hide.
 *
 * @example
 * ```ts
 * presentDashboard(model.dashboards.get('sales')!, claims, { model, dialect: 'duckdb', engine: { maxLimit: 50_000 }, canExport: false })
 * // { id: 'sales', charts: [{ id: 'revenue_kpi', permitted: true, … }], … }
 * ```
 */
export function presentDashboard(dashboard: Dashboard, claims: EmbedTokenClaims, options: ViewOptions): DashboardView {
  const charts: DashboardChartView[] = dashboard.charts.map((chart) => {
    const query = chart.query as SemanticQueryInput;
    const permitted = chartPermitted(options, claims, query);
    const format = permitted ? measureFormat(options.model, query) : undefined;
    const view: DashboardChartView = {
      id: chart.id,
      type: chart.type,
      title: chart.title ?? chart.id,
      ...(chart.description !== undefined ? { description: chart.description } : {}),
      query: permitted ? structuredClone(query) : { dataset: query.dataset },
      permitted,
      ...(format ? { format } : {}),
      ...(permitted ? { members: memberLabels(options.model, query) } : {}),
    };
    const drill = permitted ? drillView(options, claims, query) : [];
    if (drill.length > 0) {
      view.drill = drill;
      for (const level of drill) view.members![level.member] ??= { title: level.title };
    }
    return view;
  });

  // Filters follow the catalog: a member the catalog hides for this user is not offered as a filter.
  const datasets = new Set(dashboard.charts.map((c) => c.query.dataset));
  const dimensions = catalogFor(options.model, claims.user)
    .datasets.filter((d) => datasets.has(d.name))
    .flatMap((d) => d.members.filter((m) => m.kind === 'dimension'));
  const visible = (member: string) => dimensions.find((m) => m.name === member);
  const filters: DashboardView['filters'] = { pickers: [] };
  const dateRange = dashboard.filters?.dateRange;
  if (dateRange && visible(dateRange.member)) {
    filters.dateRange = { member: dateRange.member, ...(dateRange.default !== undefined ? { default: dateRange.default } : {}) };
  }
  for (const picker of dashboard.filters?.pickers ?? []) {
    const found = visible(picker.member);
    if (found) filters.pickers.push({ member: picker.member, title: picker.title ?? found.title });
  }

  return {
    id: dashboard.id,
    title: dashboard.title,
    ...(dashboard.description !== undefined ? { description: dashboard.description } : {}),
    layout: { columns: COLUMNS, items: layoutOf(dashboard) },
    charts,
    filters,
    canExport: options.canExport,
  };
}

/** The declared layout fitted into 12 columns, or a simple two-up grid when none is declared. */
function layoutOf(dashboard: Dashboard): DashboardView['layout']['items'] {
  if (dashboard.layout.length > 0) {
    return dashboard.layout.map((item) => {
      const w = Math.min(item.w, COLUMNS);
      return { chart: item.chart, x: Math.min(item.x, COLUMNS - w), y: item.y, w, h: item.h };
    });
  }
  return dashboard.charts.map((chart, i) => ({ chart: chart.id, x: (i % 2) * 6, y: Math.floor(i / 2) * 4, w: 6, h: chart.type === 'kpi' ? 2 : 4 }));
}
