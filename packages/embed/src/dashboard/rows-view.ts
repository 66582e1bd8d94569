import { html, nothing, type TemplateResult } from 'lit';
import type { CellValue } from '../types.js';
import { formatCell } from '../format/formatters.js';

/** The body of `POST /v1/rows` (one page). */
export interface RowsPage {
  columns: Array<{ name: string; title: string; type: string; kind: 'dimension' | 'measure' | 'time' }>;
  rows: Array<Record<string, CellValue>>;
  meta: { offset: number; limit: number; hasMore: boolean; rowCount: number };
}

/** What the rows panel shows: the request behind it, and its page, loading or error. */
export interface RowsPanelState {
  chart: string;
  /** "Region: EMEA", the clicked value in words. */
  label: string;
  value: { member: string; value: string | number | boolean; granularity?: 'day' | 'week' | 'month' | 'quarter' | 'year' };
  offset: number;
  order?: { member: string; direction: 'asc' | 'desc' } | undefined;
  status: 'loading' | 'ready' | 'error';
  page?: RowsPage | undefined;
  message?: string | undefined;
}

export interface RowsPanelActions {
  onPage: (offset: number) => void;
  onSort: (order: { member: string; direction: 'asc' | 'desc' }) => void;
  onCsv: () => void;
  onClose: () => void;
}

/**
 * The "View rows" panel: a paged table of the rows behind a value, sorted by Perch (a header
 * button), with CSV of them all. Every value is a text binding.
 */
export function rowsPanelView(state: RowsPanelState, locale: string | undefined, on: RowsPanelActions): TemplateResult {
  const page = state.page;
  const from = page && page.rows.length > 0 ? state.offset + 1 : 0;
  const to = page ? state.offset + page.rows.length : 0;
  return html`<div class="rows-backdrop" @click=${on.onClose}></div>
    <section class="rows-panel" part="rows-panel" role="dialog" aria-modal="true" aria-label=${`Rows for ${state.label}`} aria-busy=${state.status === 'loading' ? 'true' : 'false'}>
      <div class="rows-head">
        <h3>Rows for ${state.label}</h3>
        <div class="rows-actions">
          <button type="button" class="rows-csv" @click=${on.onCsv}>CSV</button>
          <button type="button" class="rows-close" aria-label="Close rows" @click=${on.onClose}><span aria-hidden="true">✕</span></button>
        </div>
      </div>
      ${state.status === 'error' ? html`<p class="rows-error" role="alert">${state.message ?? 'These rows could not be loaded.'}</p>` : nothing}
      ${page
        ? html`<div class="rows-scroll">
            <table part="table">
              <thead>
                <tr>
                  ${page.columns.map((c) => {
                    const sorted = state.order?.member === c.name ? state.order.direction : undefined;
                    const next = sorted === 'asc' ? 'desc' : 'asc';
                    return html`<th scope="col" aria-sort=${sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}>
                      <button type="button" class="sort" @click=${() => on.onSort({ member: c.name, direction: next })}>
                        ${c.title}<span class="sort-mark" aria-hidden="true">${sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}</span>
                      </button>
                    </th>`;
                  })}
                </tr>
              </thead>
              <tbody>
                ${page.rows.map(
                  (row) => html`<tr>${page.columns.map((c) => html`<td>${formatCell(row[c.name] ?? null, c.type === 'time' ? 'time' : c.kind, { granularity: 'day', locale })}</td>`)}</tr>`,
                )}
              </tbody>
            </table>
            ${page.rows.length === 0 ? html`<p class="rows-empty">No rows.</p>` : nothing}
          </div>`
        : html`<p class="rows-loading">Loading rows…</p>`}
      <div class="rows-pager">
        <span class="rows-range">${page ? `Rows ${from}–${to}` : ''}</span>
        <button type="button" class="rows-prev" ?disabled=${state.offset === 0 || state.status === 'loading'} @click=${() => on.onPage(Math.max(0, state.offset - (page?.meta.limit ?? 50)))}>Previous</button>
        <button type="button" class="rows-next" ?disabled=${!page?.meta.hasMore || state.status === 'loading'} @click=${() => on.onPage(state.offset + (page?.meta.limit ?? 50))}>Next</button>
      </div>
    </section>`;
}
