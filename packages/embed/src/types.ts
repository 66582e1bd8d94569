import type { ErrorCode, SemanticQueryInput, SessionResponse } from '@perch/protocol';

/** `GET /v1/embed/session`. Never carries attribute values. */
export type EmbedSession = SessionResponse;

export type ChartType = 'kpi' | 'bar' | 'line' | 'area' | 'pie' | 'table';

export interface MeasureFormat {
  style: 'currency' | 'number' | 'percent';
  currency?: string;
  decimals?: number;
}

export interface ChartDefinition {
  id: string;
  type: ChartType;
  title: string;
  query: SemanticQueryInput;
  /** `false` renders a "not permitted" tile; such a chart is never queried. */
  permitted: boolean;
  format?: { measure?: MeasureFormat };
}

export interface LayoutItem {
  chart: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** `GET /v1/dashboards/{id}`. */
export interface DashboardDefinition {
  id: string;
  title: string;
  description?: string;
  layout: { columns: number; items: LayoutItem[] };
  charts: ChartDefinition[];
  filters: {
    dateRange?: { member: string; default?: string };
    pickers: Array<{ member: string; title: string }>;
  };
  canExport: boolean;
}

/** Dashboard filter state sent with the dashboard+chart form of `POST /v1/query`. */
export interface DashboardFilters {
  /** `null` means "all time": it overrides the dashboard's default range. */
  dateRange?: string | [string, string] | null;
  values?: Record<string, Array<string | number>>;
}

export interface DashboardQueryBody {
  dashboard: string;
  chart: string;
  filters?: DashboardFilters;
}

/** Body of `POST /v1/dashboards/{id}/tiles`: without `charts`, every chart the token may see. */
export interface TileBatchBody {
  charts?: string[];
  filters?: DashboardFilters;
  /** Also send the session and/or the definition first, as their own routes would. */
  include?: Array<'session' | 'definition'>;
}

/** A line at the head of a tiles stream whose request asked for it with `include`. */
export type TileLeadLine = { session: EmbedSession; chart?: undefined } | { definition: DashboardDefinition; chart?: undefined };

/** One NDJSON line of `POST /v1/dashboards/{id}/tiles`, in the order the tiles finish. */
export type TileLine =
  | { chart: string; result: QueryResponse; error?: undefined }
  | { chart: string; error: { code: ErrorCode; message: string; requestId?: string }; result?: undefined };

export type CellValue = string | number | boolean | null;

/** `POST /v1/query` response. */
export interface QueryResponse {
  columns: Array<{ name: string; type: string; kind: 'dimension' | 'measure' | 'time' }>;
  rows: Array<Record<string, CellValue>>;
  meta: { rowCount: number; durationMs: number; cacheHit: boolean; requestId: string; truncated?: boolean };
}

/** Detail of the `tc-error` event. */
export interface TcErrorDetail {
  code: ErrorCode;
  message: string;
  requestId?: string;
  chart?: string;
}

/** Detail of the `tc-ready` event. */
export interface TcReadyDetail {
  dashboard: string;
  durationMs: number;
}

/** Detail of the `tc-token-expired` event. */
export interface TcTokenExpiredDetail {
  /** Whether a `fetchToken` callback is available to recover. */
  willRefresh: boolean;
}

/** Typed map of the events Perch components dispatch (bubbling, composed). */
export interface PerchEventMap {
  'tc-ready': CustomEvent<TcReadyDetail>;
  'tc-error': CustomEvent<TcErrorDetail>;
  'tc-token-expired': CustomEvent<TcTokenExpiredDetail>;
}
