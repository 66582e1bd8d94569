/**
 * The dashboard form of `POST /v1/query`: the client names a dashboard and a chart, and may set
 * the dashboard's own filters. The query itself always comes from the server-side model, so a
 * viewer can never widen what a chart asks for (Superset #26201: guest tokens reaching charts
 * outside their dashboards; CVE-2024-24772: client SQL in embedded mode).
 */
import { z } from 'zod';
import { DateRangeSchema, FilterValueSchema, GRANULARITIES, PerchError, QUERY_LIMITS, parseOrThrow, type EmbedTokenClaims, type Filter, type SemanticQueryInput } from '@perch/protocol';
import type { Dashboard, Model } from '@perch/engine';
import { applyDrill, drillLevels } from './drill-path.js';

/** More clicked values than a person would stack up only make the SQL longer. */
export const MAX_CROSS_FILTERS = 8;

export const CrossFilterSchema = z.strictObject({
  member: z.string().min(1).max(128),
  value: FilterValueSchema,
  /** The bucket of a time value; `value` is then the bucket's first day (`YYYY-MM-DD`). */
  granularity: z.enum(GRANULARITIES).optional(),
  /** The chart the value was clicked in: that chart is not filtered by it. */
  chart: z.string().min(1).max(128).optional(),
});

/** One drill-down step: the value clicked at the level the chart is at. */
export const DrillStepSchema = z.strictObject({
  member: z.string().min(1).max(128),
  value: FilterValueSchema,
  granularity: z.enum(GRANULARITIES).optional(),
});

/** No model hierarchy is deeper than this (a hierarchy has at most 8 levels). */
export const MAX_DRILL_STEPS = 8;

export const DashboardQuerySchema = z.strictObject({
  dashboard: z.string().min(1).max(128),
  chart: z.string().min(1).max(128),
  /** Drill-down steps of this chart, in order, along its model hierarchy or time granularity. */
  drill: z.array(DrillStepSchema).max(MAX_DRILL_STEPS).optional(),
  filters: z
    .strictObject({
      /** A relative range or `[from, to]`; `null` clears the dashboard's default (all time). */
      dateRange: DateRangeSchema.nullable().optional(),
      /** Picker selections: member → values. An empty list means "nothing picked". */
      values: z.record(z.string().max(128), z.array(FilterValueSchema).max(QUERY_LIMITS.maxValues)).optional(),
      /** Values clicked in tiles (cross-filters and drill-down levels), applied to the other tiles. */
      cross: z.array(CrossFilterSchema).max(MAX_CROSS_FILTERS).optional(),
    })
    .optional(),
});
export type DashboardQuery = z.output<typeof DashboardQuerySchema>;

/** True when a `POST /v1/query` body uses the dashboard form (it names a dashboard). */
export function isDashboardForm(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.prototype.hasOwnProperty.call(body, 'dashboard');
}

/**
 * The dashboard a token may open, or 403 `resource_forbidden`. An unknown dashboard gets the same
 * answer as an out-of-scope one, so a token cannot probe which dashboards exist.
 */
export function dashboardInScope(model: Model, claims: EmbedTokenClaims, id: string): Dashboard {
  const scope = claims.scope.dashboards;
  const allowed = scope === '*' || scope.includes(id);
  const dashboard = model.dashboards.get(id);
  if (!allowed || !dashboard) throw new PerchError('resource_forbidden', { path: 'dashboard', message: 'dashboard: not available to this token' });
  return dashboard;
}

/** Whether `member` can be filtered in `dataset` (an own dimension or a joined `join.member`). */
function datasetHasDimension(model: Model, datasetName: string, member: string): boolean {
  const dataset = model.datasets.get(datasetName);
  if (!dataset) return false;
  const dot = member.indexOf('.');
  if (dot < 0) return dataset.dimensions.has(member);
  const join = dataset.joins.get(member.slice(0, dot));
  return join !== undefined && (model.datasets.get(join.dataset)?.dimensions.has(member.slice(dot + 1)) ?? false);
}

/**
 * Resolve a dashboard-form request into the semantic query of the chart, with the dashboard's
 * filters applied: the date range onto the dashboard's date member (its default when the client
 * sends none) and picker values as `in` filters on the declared picker members only.
 *
 * @example
 * ```ts
 * resolveDashboardQuery(model, claims, { dashboard: 'sales', chart: 'revenue_by_region', filters: { values: { channel: ['web'] } } })
 * // { dataset: 'orders', measures: ['revenue'], dimensions: ['region'], filters: [{ member: 'channel', operator: 'in', values: ['web'] }], … }
 * ```
 * Cross-filters (`filters.cross`) become `equals` filters, or a `[start, end)` range for a time
 * bucket. `unapplied` lists the cross-filter members the chart's dataset cannot express, so the
 * tile can say it is not filtered by them instead of silently showing unfiltered numbers.
 *
 * @throws PerchError `resource_forbidden` (dashboard not in scope), `not_found` (no such chart),
 *   `unknown_member` (a value for a member that is not a picker, or a cross-filter on a member no
 *   chart of the dashboard groups by), `invalid_filter_value` (a time bucket without its
 *   granularity or day), and zod shape errors.
 */
export function resolveDashboardQuery(model: Model, claims: EmbedTokenClaims, body: unknown): { query: SemanticQueryInput; dashboard: Dashboard; chart: string; unapplied: string[] } {
  const request = parseOrThrow(DashboardQuerySchema, body);
  const dashboard = dashboardInScope(model, claims, request.dashboard);
  const chart = dashboard.charts.find((c) => c.id === request.chart);
  if (!chart) throw new PerchError('not_found', { path: 'chart', message: 'chart: no such chart on this dashboard' });

  // A structural copy, so the model's own (frozen) chart query is never mutated.
  let query = structuredClone(chart.query) as SemanticQueryInput;
  if (request.drill) query = applyDrill(model, query, request.drill, bucketFilters);
  const filters: Filter[] = [...((query.filters ?? []) as Filter[])];

  const pickers = new Set((dashboard.filters?.pickers ?? []).map((p) => p.member));
  for (const [member, values] of Object.entries(request.filters?.values ?? {})) {
    if (!pickers.has(member)) throw new PerchError('unknown_member', { path: `filters.values.${member}`, message: `filters.values.${member}: not a filter of this dashboard` });
    if (values.length > 0 && datasetHasDimension(model, query.dataset, member)) filters.push({ member, operator: 'in', values });
  }
  const unapplied = applyCrossFilters(model, dashboard, chart.id, query.dataset, request.filters?.cross ?? [], filters);
  query.filters = filters;

  const dateFilter = dashboard.filters?.dateRange;
  const dateRange = request.filters?.dateRange === undefined ? dateFilter?.default : request.filters.dateRange;
  if (request.filters?.dateRange !== undefined && request.filters.dateRange !== null && !dateFilter) {
    throw new PerchError('invalid_request', { path: 'filters.dateRange', message: 'filters.dateRange: this dashboard has no date filter' });
  }
  if (dateFilter && dateRange !== undefined && dateRange !== null && datasetHasDimension(model, query.dataset, dateFilter.member)) {
    const td = query.timeDimension;
    if (!td) query.timeDimension = { member: dateFilter.member, dateRange };
    else if (td.member === dateFilter.member) query.timeDimension = { ...td, dateRange };
    // A chart bucketed by another time member keeps its own definition: rewriting it would change
    // what the chart means, and the model check already ties filter members to chart datasets.
  }
  return { query, dashboard, chart: chart.id, unapplied };
}

/**
 * The members a value may be clicked on: what the dashboard's charts group by (dimensions and
 * time dimensions). Why: a viewer never sends a free query, so a cross-filter may only narrow the
 * dashboard by a value it already shows, never filter on a member the dashboard does not expose.
 */
export function crossFilterMembers(model: Model, dashboard: Dashboard): Set<string> {
  const members = new Set<string>();
  for (const chart of dashboard.charts) {
    const query = chart.query as SemanticQueryInput;
    for (const dimension of query.dimensions ?? []) members.add(dimension);
    if (query.timeDimension) members.add(query.timeDimension.member);
    // A drilled tile shows the levels below its own; their values may be clicked too.
    for (const level of drillLevels(model, query)) members.add(level.member);
  }
  return members;
}

/** Push the cross-filters that apply to `chartId` onto `filters`; answer the members it cannot express. */
function applyCrossFilters(model: Model, dashboard: Dashboard, chartId: string, dataset: string, cross: ReadonlyArray<z.output<typeof CrossFilterSchema>>, filters: Filter[]): string[] {
  if (cross.length === 0) return [];
  const allowed = crossFilterMembers(model, dashboard);
  const unapplied: string[] = [];
  cross.forEach((item, index) => {
    const path = `filters.cross[${index}]`;
    if (!allowed.has(item.member)) throw new PerchError('unknown_member', { path: `${path}.member`, message: `${path}.member: not a member this dashboard groups by` });
    if (item.chart === chartId) return;
    if (!datasetHasDimension(model, dataset, item.member)) {
      if (!unapplied.includes(item.member)) unapplied.push(item.member);
      return;
    }
    if (item.granularity === undefined) {
      filters.push({ member: item.member, operator: 'equals', values: [item.value] });
      return;
    }
    filters.push(...bucketFilters(item.member, item.value, item.granularity, `${path}.value`));
  });
  return unapplied;
}

/**
 * The filters of one time bucket, `[start, end)`, from its first day (`YYYY-MM-DD`). The engine
 * reads both bounds as local dates of the query's zone, the same zone its buckets are cut in, so
 * the range is exactly the clicked bucket.
 */
export function bucketFilters(member: string, value: unknown, granularity: (typeof GRANULARITIES)[number], path: string): Filter[] {
  const start = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!start) throw new PerchError('invalid_filter_value', { path, message: `${path}: expected the first day of the bucket (YYYY-MM-DD)` });
  const from = new Date(Date.UTC(Number(start[1]), Number(start[2]) - 1, Number(start[3])));
  if (Number.isNaN(from.getTime()) || isoDay(from) !== value) throw new PerchError('invalid_filter_value', { path, message: `${path}: not a valid date` });
  return [
    { member, operator: 'gte', values: [isoDay(from)] },
    { member, operator: 'lt', values: [isoDay(bucketEnd(from, granularity))] },
  ];
}

/** The first day after the bucket that starts at `from`. */
export function bucketEnd(from: Date, granularity: (typeof GRANULARITIES)[number]): Date {
  const end = new Date(from.getTime());
  if (granularity === 'day') end.setUTCDate(end.getUTCDate() + 1);
  else if (granularity === 'week') end.setUTCDate(end.getUTCDate() + 7);
  else if (granularity === 'month') end.setUTCMonth(end.getUTCMonth() + 1);
  else if (granularity === 'quarter') end.setUTCMonth(end.getUTCMonth() + 3);
  else end.setUTCFullYear(end.getUTCFullYear() + 1);
  return end;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
