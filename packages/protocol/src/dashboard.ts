import type { ErrorBody } from './errors.js';
import type { Granularity, QueryResult, SemanticQueryInput } from './query.js';
import type { SessionResponse } from './token.js';

/*
 * Wire types of the dashboard routes, shared by the server that sends them and the web components
 * that read them, so the two cannot drift apart.
 */

/** How a number is shown: the model's `format` turned into `Intl.NumberFormat` terms. */
export interface MeasureFormat {
  style: 'currency' | 'number' | 'percent';
  currency?: string;
  decimals?: number;
}

/** The model's label and format of one member a chart's result carries (a result column name). */
export interface MemberLabel {
  title: string;
  format?: MeasureFormat;
}

export type DashboardChartType = 'kpi' | 'bar' | 'line' | 'area' | 'pie' | 'table';

/** A chart as `GET /v1/dashboards/{id}` sends it. */
export interface DashboardChartView {
  id: string;
  type: DashboardChartType;
  title: string;
  description?: string;
  /** The chart's query when permitted; only `{dataset}` otherwise, so hidden member names never leave. */
  query: SemanticQueryInput;
  permitted: boolean;
  format?: { measure?: MeasureFormat };
  /**
   * Titles and formats of the members of the chart's query, keyed by result column name. Sent
   * only for permitted charts, so a hidden member's title never leaves either.
   */
  members?: Record<string, MemberLabel>;
  /**
   * The levels below the chart's own that a click drills to, in order: the next dimension of the
   * model hierarchy the chart's dimension belongs to, or the next finer granularity of its time
   * bucket. Absent when the chart cannot drill.
   */
  drill?: Array<{ member: string; title: string; granularity?: Granularity }>;
}

/** One drill-down step: the value clicked at the level the chart was at. */
export interface DrillStep {
  member: string;
  value: string | number | boolean;
  granularity?: Granularity;
}

/** The body of `GET /v1/dashboards/{id}` (the contract the web components read). */
export interface DashboardView {
  id: string;
  title: string;
  description?: string;
  layout: { columns: number; items: Array<{ chart: string; x: number; y: number; w: number; h: number }> };
  charts: DashboardChartView[];
  filters: { dateRange?: { member: string; default?: string | [string, string] }; pickers: Array<{ member: string; title: string }> };
  canExport: boolean;
}

/**
 * A value clicked in one tile (a bar, a slice, a line point, a table row) that filters the other
 * tiles of the dashboard. `member` must be a dimension or time dimension that one of the
 * dashboard's charts groups by; `granularity` is the bucket of a time value (`value` is then the
 * bucket's first day, `YYYY-MM-DD`). The `chart` it came from is not filtered by it.
 */
export interface CrossFilter {
  member: string;
  value: string | number | boolean;
  granularity?: 'day' | 'week' | 'month' | 'quarter' | 'year';
  chart?: string;
}

/** Dashboard filter state sent with a dashboard's tile, query and export requests. */
export interface DashboardFilters {
  /** `null` means "all time": it overrides the dashboard's default range. */
  dateRange?: string | [string, string] | null;
  values?: Record<string, Array<string | number>>;
  /** Cross-filters, in the order they were clicked. */
  cross?: CrossFilter[];
}

/** Body of `POST /v1/dashboards/{id}/tiles`: without `charts`, every chart the token may see. */
export interface TileBatchBody {
  charts?: string[];
  filters?: DashboardFilters;
  /** Drill-down steps by chart id. */
  drill?: Record<string, DrillStep[]>;
  /** Also send the session and/or the definition first, as their own routes would. */
  include?: Array<'session' | 'definition'>;
}

/** One NDJSON line of `POST /v1/dashboards/{id}/tiles`, in the order the tiles finish. */
export type TileLine =
  | {
      chart: string;
      result: QueryResult;
      error?: undefined;
      /** Cross-filter members this tile's dataset cannot express (not one of its dimensions, own or joined). */
      unapplied?: string[];
    }
  | { chart: string; error: ErrorBody['error']; result?: undefined };

/** A line at the head of a tiles stream whose request asked for it with `include`. */
export type TileLeadLine = { session: SessionResponse; chart?: undefined } | { definition: DashboardView; chart?: undefined };
