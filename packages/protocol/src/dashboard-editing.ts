import type { DashboardChartType } from './dashboard.js';
import type { SemanticQueryInput } from './query.js';

/*
 * Wire types of the maker routes (listing, reading a definition to edit it, saving, versions),
 * shared by the server and the editor so the two cannot drift apart.
 *
 * Concurrency: every saved dashboard has an integer `version`. Responses that carry one also send
 * it as a strong `ETag` (`"<version>"`), and writes to an existing dashboard (`PUT`, `DELETE`,
 * `POST .../restore`) send it back in `If-Match`. A stale `If-Match` is 409 `edit_conflict`.
 */

/** One grid cell of a dashboard's layout (12 columns; `x + w <= 12`). */
export interface DashboardLayoutCell {
  chart: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A chart as a maker writes it: the stored form, not the presented view. */
export interface DashboardChartDefinition {
  id: string;
  type: DashboardChartType;
  title?: string;
  description?: string;
  query: SemanticQueryInput;
}

/** The body of `POST /v1/dashboards` and `PUT /v1/dashboards/{id}`. */
export interface DashboardDefinition {
  id: string;
  title: string;
  description?: string;
  charts: DashboardChartDefinition[];
  layout: DashboardLayoutCell[];
  filters?: {
    dateRange?: { member: string; default?: string | [string, string] };
    pickers: Array<{ member: string; title?: string }>;
  };
}

/** One entry of `GET /v1/dashboards`. */
export interface DashboardSummary {
  id: string;
  title: string;
  description?: string;
  /** `model` dashboards come from the semantic model; `saved` ones were made by a maker of this tenant. */
  source: 'model' | 'saved';
  version?: number;
  updatedAt?: string;
  /** Whether this token may change it: a saved dashboard, a maker or admin, every chart runnable by this token. */
  editable: boolean;
}

/** The body of `GET /v1/dashboards`. */
export interface DashboardListResponse {
  dashboards: DashboardSummary[];
  /** Whether this token may save new dashboards (maker or admin, with a tenant). */
  canCreate: boolean;
}

/** The body of `GET /v1/dashboards/{id}/definition` (makers and admins). */
export interface DashboardDefinitionResponse {
  /** The definition, without the charts this token may not run (listed in `omittedCharts`). */
  definition: DashboardDefinition;
  source: 'model' | 'saved';
  version?: number;
  editable: boolean;
  /** Ids of charts left out because this token cannot run them; such a dashboard is not editable. */
  omittedCharts: string[];
}

/** The body of a successful save, create or restore (also sent as `ETag: "<version>"`). */
export interface DashboardSaved {
  id: string;
  version: number;
}

/** One entry of `GET /v1/dashboards/{id}/versions`, newest first. */
export interface DashboardVersionEntry {
  version: number;
  savedAt: string;
  savedBy: string;
  title: string;
  charts: number;
  current: boolean;
}

/** The body of `GET /v1/dashboards/{id}/versions`. */
export interface DashboardVersionsResponse {
  versions: DashboardVersionEntry[];
}

/** The body of `POST /v1/dashboards/{id}/restore`. */
export interface DashboardRestoreRequest {
  version: number;
}
