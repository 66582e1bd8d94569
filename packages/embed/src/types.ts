import type { DrillStep, DashboardChartType, DashboardChartView, DashboardFilters, DashboardView, QueryResult, SessionResponse } from '@perch/protocol';

/*
 * The HTTP contract the components speak. The wire types live in `@perch/protocol`, next to the
 * server code that sends them; the names here are the components' words for them.
 */

export type { MeasureFormat, MemberLabel, CrossFilter, DrillStep, DashboardFilters, TileBatchBody, TileLine, TileLeadLine } from '@perch/protocol';
export type { PerchEventMap, TcErrorDetail, TcReadyDetail, TcTokenExpiredDetail, TcAnswerDetail, TcDashboardSavedDetail, TcDashboardDeletedDetail } from './events.js';

/** `GET /v1/embed/session`. Never carries attribute values. */
export type EmbedSession = SessionResponse;

export type ChartType = DashboardChartType;

/** One chart of a dashboard definition. */
export type ChartDefinition = DashboardChartView;

export type LayoutItem = DashboardView['layout']['items'][number];

/** `GET /v1/dashboards/{id}`. */
export type DashboardDefinition = DashboardView;

/** The dashboard+chart form of `POST /v1/query` and `POST /v1/export`. */
export interface DashboardQueryBody {
  dashboard: string;
  chart: string;
  filters?: DashboardFilters;
  drill?: DrillStep[];
}

/** `POST /v1/query` response. */
export type QueryResponse = QueryResult;

export type CellValue = QueryResult['rows'][number][string];

/** The details of `<tc-dashboard-list>`'s own events. */
export type { TcDashboardSelectDetail, TcDashboardCreateDetail } from './events.js';
