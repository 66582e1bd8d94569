import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorCode } from '@perch/protocol/errors';
import { errorSentence, isRetryable } from '../format/error-sentences.js';

/** The loading placeholder; it fills its tile body (positioned inside it), never more. */
export function skeletonView(): TemplateResult {
  return html`<div class="skeleton" part="skeleton" aria-hidden="true"></div>`;
}

/**
 * The empty state: what is filtered, and a way back. `summary` is the active filters in words;
 * `onReset` is absent when the filters are already the dashboard's own.
 */
export function emptyView(summary: string, onReset: (() => void) | undefined): TemplateResult {
  return html`<div class="empty" part="empty" role="status">
    <p>${summary ? `No data for ${summary}.` : 'No data to show.'}</p>
    ${onReset ? html`<button type="button" class="link" @click=${onReset}>Reset filters</button>` : nothing}
  </div>`;
}

export interface ErrorViewOptions {
  code: ErrorCode;
  requestId?: string | undefined;
  onRetry?: (() => void) | undefined;
  /** A compact notice above data that stays visible (the last good result). */
  compact?: boolean;
}

/**
 * An error as an end user should read it: a sentence, "Try again" when trying again can help,
 * and the code and request id (for support) behind "Details".
 */
export function errorView({ code, requestId, onRetry, compact }: ErrorViewOptions): TemplateResult {
  return html`<div class=${compact ? 'error compact' : 'error'} part="error" role="alert" data-code=${code}>
    <p class="sentence">${errorSentence(code)}</p>
    <div class="error-actions">
      ${onRetry && isRetryable(code) ? html`<button type="button" class="retry" @click=${onRetry}>Try again</button>` : nothing}
      <details>
        <summary>Details</summary>
        <dl>
          <dt>Code</dt>
          <dd><code>${code}</code></dd>
          ${requestId ? html`<dt>Request id</dt><dd><code>${requestId}</code></dd>` : nothing}
        </dl>
      </details>
    </div>
  </div>`;
}
