/**
 * "View rows": the rows behind one value of a dashboard chart, for explorers and above.
 *
 * The client names a dashboard, a chart, the dashboard's filters and the clicked value; the
 * query is built here from the model: the chart's own filters, date range and drill path, the
 * clicked value, and the dataset's declared row columns (`rows.columns`, or its own dimensions).
 * So the rows are exactly those the chart's number was computed from, under the same RLS, and a
 * client still never sends a free query: it picks a page, a sort column among those columns, and
 * nothing else.
 */
import { z } from 'zod';
import { PerchError, parseOrThrow, roleAtLeast, type EmbedTokenClaims, type Filter, type SemanticQueryInput } from '@perch/protocol';
import { compileQuery, type DialectName, type EngineOptions, type Model } from '@perch/engine';
import { DashboardQuerySchema, DrillStepSchema, bucketFilters, resolveDashboardQuery } from './dashboard-query.js';

/** One page of rows at most: a person reads a page; the CSV carries the rest. */
export const MAX_ROWS_PAGE = 200;

export const RowsRequestSchema = z.strictObject({
  dashboard: z.string().min(1).max(128),
  chart: z.string().min(1).max(128),
  filters: DashboardQuerySchema.shape.filters,
  drill: DashboardQuerySchema.shape.drill,
  /** The clicked value (a bar, a row): a member the chart groups by, and its value. */
  value: DrillStepSchema.optional(),
  /** Sort by one of the row columns. */
  order: z.strictObject({ member: z.string().min(1).max(128), direction: z.enum(['asc', 'desc']) }).optional(),
  offset: z.number().int().min(0).max(1_000_000).default(0),
  limit: z.number().int().min(1).max(MAX_ROWS_PAGE).default(50),
  /** `csv`: every row (up to the workspace's row limit) as a file, instead of one page. */
  format: z.enum(['json', 'csv']).default('json'),
});
export type RowsRequest = z.output<typeof RowsRequestSchema>;

export interface ResolvedRows {
  request: RowsRequest;
  query: SemanticQueryInput;
  /** `dashboard:sales/revenue_by_region` */
  resource: string;
  columns: string[];
}

/**
 * Build the rows query of a request.
 *
 * @throws PerchError `resource_forbidden` (a viewer, or a dashboard out of scope), `unknown_member`
 *   (a value on a member the chart does not group by, or a sort on a column the rows do not
 *   have), every code of `resolveDashboardQuery`, and zod shape errors.
 */
export function resolveRowsQuery(model: Model, claims: EmbedTokenClaims, body: unknown, compile: { dialect: DialectName; engine: EngineOptions; maxRows: number }): ResolvedRows {
  // Refused before anything else is looked at: a viewer learns nothing about the chart.
  if (!roleAtLeast(claims.user.role, 'explorer')) throw new PerchError('resource_forbidden', { message: 'The rows behind a chart are available to explorers and above.' });
  const request = parseOrThrow(RowsRequestSchema, body);
  const resolved = resolveDashboardQuery(model, claims, {
    dashboard: request.dashboard,
    chart: request.chart,
    ...(request.filters ? { filters: request.filters } : {}),
    ...(request.drill ? { drill: request.drill } : {}),
  });
  const chartQuery = resolved.query;
  const filters: Filter[] = [...((chartQuery.filters ?? []) as Filter[])];
  const time = chartQuery.timeDimension;
  if (request.value) {
    const { member, value, granularity } = request.value;
    const grouped = new Set([...(chartQuery.dimensions ?? []), ...(time ? [time.member] : [])]);
    if (!grouped.has(member)) throw new PerchError('unknown_member', { path: 'value.member', message: 'value.member: the chart does not group by this member' });
    if (granularity) filters.push(...bucketFilters(member, value, granularity, 'value.value'));
    else filters.push({ member, operator: 'equals', values: [value] });
  }

  const dataset = model.datasets.get(chartQuery.dataset);
  const declared = dataset?.rowColumns ?? [...(dataset?.dimensions.keys() ?? [])];
  // Member rules: a column this user may not see is left out rather than failing the whole table.
  const columns = declared.filter((member) => {
    try {
      compileQuery(model, { dataset: chartQuery.dataset, dimensions: [member], limit: 1 }, claims.user, compile.dialect, compile.engine);
      return true;
    } catch (error) {
      if (error instanceof PerchError && (error.code === 'member_forbidden' || error.code === 'dataset_forbidden')) return false;
      throw error;
    }
  });
  if (columns.length === 0) throw new PerchError('member_forbidden', { message: 'No row column is visible to this user.' });
  if (request.order && !columns.includes(request.order.member)) throw new PerchError('unknown_member', { path: 'order.member', message: 'order.member: not a column of these rows' });

  const csv = request.format === 'csv';
  const query: SemanticQueryInput = {
    dataset: chartQuery.dataset,
    measures: [],
    dimensions: columns,
    filters,
    // The chart's date range, without its bucketing: a plain range filter on the rows.
    ...(time?.dateRange !== undefined ? { timeDimension: { member: time.member, dateRange: time.dateRange } } : {}),
    // A stable order, so pages neither repeat nor skip rows.
    order: [...(request.order ? [request.order] : []), ...columns.filter((c) => c !== request.order?.member).map((member) => ({ member, direction: 'asc' as const }))],
    // One more row than the page tells whether there is a next page.
    limit: csv ? compile.maxRows : request.limit + 1,
    ...(csv || request.offset === 0 ? {} : { offset: request.offset }),
  };
  return { request, query, resource: `dashboard:${resolved.dashboard.id}/${resolved.chart}`, columns };
}
