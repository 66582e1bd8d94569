import type { ErrorCode } from '@perch/protocol/errors';
import type { AssistantResult } from './assistant/assistant-types.js';

/** Detail of the `tc-error` event. */
export interface TcErrorDetail {
  code: ErrorCode;
  message: string;
  requestId?: string;
  /** The chart whose tile failed, when one tile failed and the others did not. */
  chart?: string;
}

/**
 * Detail of the `tc-ready` event. Every component sends `component` and `durationMs`; the
 * dashboard also names itself and the list says how many dashboards it shows, so one listener on
 * `document` can tell the events apart.
 */
export type TcReadyDetail =
  | { component: 'dashboard'; dashboard: string; durationMs: number }
  | { component: 'assistant'; durationMs: number }
  | { component: 'dashboard-list'; count: number; durationMs: number };

/**
 * Detail of `<tc-dashboard-list>`'s `tc-dashboard-select`: the entry the user picked. The host
 * opens it, typically by setting `dashboard` on its `<tc-dashboard>`.
 */
export interface TcDashboardSelectDetail {
  id: string;
  /** `model` (from the semantic model) or `saved` (made by a maker of the user's tenant). */
  source: 'model' | 'saved';
  /** Whether this token may change it. */
  editable: boolean;
}

/** Detail of `<tc-dashboard-list>`'s `tc-dashboard-create` (the "New dashboard" button): nothing to carry. */
export type TcDashboardCreateDetail = Record<string, never>;

/** Detail of the `tc-token-expired` event. */
export interface TcTokenExpiredDetail {
  /** Whether a `fetchToken` callback is available to recover. */
  willRefresh: boolean;
}

/** Detail of the assistant's `tc-answer` event. */
export interface TcAnswerDetail {
  question: string;
  result: AssistantResult;
}

/** Detail of `tc-dashboard-saved`: the dashboard a maker saved (created, replaced or copied) and its new version. */
export interface TcDashboardSavedDetail {
  id: string;
  version: number;
}

/** Detail of `tc-dashboard-deleted`: the saved dashboard a maker deleted. */
export interface TcDashboardDeletedDetail {
  id: string;
}

/**
 * Typed map of the events both Perch components dispatch (bubbling and composed, so a listener on
 * `document` hears them). `HTMLElementEventMap` is extended with it, so `addEventListener('tc-error', …)`
 * is typed on any element.
 */
export interface PerchEventMap {
  /** `<tc-dashboard-list>`: an entry was picked (click, Enter or Space). */
  'tc-dashboard-select': CustomEvent<TcDashboardSelectDetail>;
  /** `<tc-dashboard-list>`: "New dashboard" was pressed (only offered when the token may create). */
  'tc-dashboard-create': CustomEvent<TcDashboardCreateDetail>;
  'tc-ready': CustomEvent<TcReadyDetail>;
  'tc-error': CustomEvent<TcErrorDetail>;
  'tc-token-expired': CustomEvent<TcTokenExpiredDetail>;
  'tc-answer': CustomEvent<TcAnswerDetail>;
  'tc-dashboard-saved': CustomEvent<TcDashboardSavedDetail>;
  'tc-dashboard-deleted': CustomEvent<TcDashboardDeletedDetail>;
}

/**
 * Dispatch a typed Perch event from `target`: bubbling and composed, so it leaves the shadow root.
 *
 * @example
 * emitPerchEvent(this, 'tc-error', { code: 'token_missing', message: 'No token.' });
 */
export function emitPerchEvent<K extends keyof PerchEventMap>(target: EventTarget, type: K, detail: PerchEventMap[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}
