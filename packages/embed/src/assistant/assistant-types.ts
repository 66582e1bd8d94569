import type { MeasureFormat, QueryResult as QueryResponse, SemanticQueryInput } from '@perch/protocol';

/** `POST /v1/assistant/messages` response (also the `result` event of the stream). */
export interface AssistantResult {
  conversationId: string;
  answer: string;
  /** The semantic query that ran (never SQL); null when the assistant asked back. */
  query: SemanticQueryInput | null;
  data: QueryResponse | null;
  chart: {
    type: 'kpi' | 'line' | 'bar' | 'table';
    title: string;
    x?: string;
    y: string[];
    /** The measures' tile format (as on a dashboard tile of the same query). */
    format?: { measure?: MeasureFormat };
    /** Column titles for headers and legends. */
    labels?: Record<string, string>;
  } | null;
  appliedFilters: string | null;
  clarification?: { question: string; options?: string[] };
}

/** `GET /v1/catalog`, the parts the assistant reads for suggested questions. */
export interface CatalogResponse {
  datasets: Array<{ name: string; title: string; members: Array<{ name: string; kind: 'dimension' | 'measure'; type: string; title: string }> }>;
}

export type AssistantStreamEvent =
  | { event: 'status'; data: { status: string } }
  | { event: 'answer'; data: { delta: string } }
  | { event: 'result'; data: AssistantResult }
  | { event: 'error'; data: { code: string; message: string; requestId?: string } };

/** `GET /v1/dashboards`: the dashboards this token may open. */
export interface DashboardListResponse {
  dashboards: Array<{ id: string; title: string }>;
}

/** `GET /v1/dashboards/{id}`, the parts suggestions read: chart titles the user may see. */
export interface DashboardSummary {
  charts: Array<{ title: string; type: string; permitted: boolean }>;
}
