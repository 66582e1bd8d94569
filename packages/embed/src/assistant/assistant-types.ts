import type { SemanticQueryInput } from '@perch/protocol';
import type { QueryResult as QueryResponse } from '@perch/protocol';

/** `POST /v1/assistant/messages` response (also the `result` event of the stream). */
export interface AssistantResult {
  conversationId: string;
  answer: string;
  /** The semantic query that ran (never SQL); null when the assistant asked back. */
  query: SemanticQueryInput | null;
  data: QueryResponse | null;
  chart: { type: 'kpi' | 'line' | 'bar' | 'table'; title: string; x?: string; y: string[] } | null;
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
