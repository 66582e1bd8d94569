import { html, nothing, type TemplateResult } from 'lit';
import type { ErrorCode } from '@perch/protocol/errors';
import { errorSentence, isRetryable } from '../format/error-sentences.js';
import type { ListEntry } from './list-response.js';
import { absoluteTime, relativeTime } from './relative-time.js';

/**
 * Placeholder rows while the list loads; hidden from assistive technology (the list is `aria-busy`).
 *
 * @example
 * html`<nav aria-busy="true">${listSkeleton()}</nav>`
 */
export function listSkeleton(): TemplateResult {
  return html`<div class="skeleton" part="skeleton" aria-hidden="true"><span></span><span></span><span></span><span></span></div>`;
}

/**
 * "No dashboards yet", with the way to make one for those who may.
 *
 * @example
 * listEmpty(canCreate ? () => emitCreate() : undefined)
 */
export function listEmpty(onCreate: (() => void) | undefined): TemplateResult {
  return html`<div class="empty" part="empty" role="status">
    <p>No dashboards yet.</p>
    ${onCreate ? html`<button type="button" class="create" part="create-button" @click=${onCreate}>New dashboard</button>` : nothing}
  </div>`;
}

/**
 * A failed load in plain words, Retry when trying again can help, and the code (with the request
 * id) in small print for support. The server's message is not shown: it is written for developers.
 *
 * @example
 * listError('store_unavailable', 'req_7f3a', () => void controller.reload())
 */
export function listError(code: ErrorCode, requestId: string | undefined, onRetry: () => void): TemplateResult {
  // The shared sentence for not_found speaks of one dashboard; here the list itself failed.
  const sentence = code === 'not_found' ? 'The list of dashboards is not available.' : errorSentence(code);
  return html`<div class="error" part="error" role="alert" data-code=${code}>
    <p class="sentence">${sentence}</p>
    ${isRetryable(code) ? html`<button type="button" class="retry" part="retry-button" @click=${onRetry}>Retry</button>` : nothing}
    <small>Code <code>${code}</code>${requestId ? html` · request <code>${requestId}</code>` : nothing}</small>
  </div>`;
}

export interface EntryOptions {
  selected: boolean;
  /** 0 for the one entry the Tab key reaches (roving tabindex), -1 for the others. */
  tabIndex: number;
  now: number;
  locale: string | undefined;
  onSelect: () => void;
}

/**
 * One dashboard: a native button (Enter and Space work), title, clamped description, badge and time.
 *
 * @example
 * listEntry(entry, { selected: entry.id === selected, tabIndex: 0, now: Date.now(), locale: 'en', onSelect: () => open(entry) })
 */
export function listEntry(entry: ListEntry, options: EntryOptions): TemplateResult {
  const updated = entry.updatedAt ? relativeTime(entry.updatedAt, options.now, options.locale) : undefined;
  return html`<li>
    <button
      type="button"
      class="item"
      part=${options.selected ? 'item item-selected' : 'item'}
      data-id=${entry.id}
      data-source=${entry.source}
      ?data-editable=${entry.editable}
      aria-current=${options.selected ? 'page' : nothing}
      tabindex=${options.tabIndex}
      @click=${options.onSelect}
    >
      <span class="item-title" part="item-title">${entry.title}</span>
      ${entry.description ? html`<span class="item-description" part="item-description">${entry.description}</span>` : nothing}
      ${entry.editable || updated
        ? html`<span class="meta">
            ${entry.editable ? html`<span class="badge" part="badge">Editable</span>` : nothing}
            ${updated && entry.updatedAt ? html`<time part="updated" datetime=${entry.updatedAt} title=${absoluteTime(entry.updatedAt, options.locale) ?? nothing}>Updated ${updated}</time>` : nothing}
          </span>`
        : nothing}
    </button>
  </li>`;
}
