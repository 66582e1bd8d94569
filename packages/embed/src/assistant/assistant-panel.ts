import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import type { ErrorCode } from '@perch/protocol/errors';
import type { EmbedClient } from '../client/embed-client.js';
import { EmbedRequestError, isAbortError } from '../client/embed-error.js';
import type { ChartDefinition, QueryResponse, TcErrorDetail } from '../types.js';
import { buildChartConfig, type ChartPalette } from '../charts/chart-options.js';
import { kpiView, tableView } from '../dashboard/tile-views.js';
import type { AssistantResult, CatalogResponse, DashboardListResponse, DashboardSummary } from './assistant-types.js';
import { readEvents } from './sse-reader.js';
import { suggestedQuestions } from './suggestions.js';
import '../charts/tc-chart.js';
import { themeTokens } from '../theme.js';

interface Turn {
  id: number;
  question: string;
  status: 'thinking' | 'streaming' | 'done' | 'error';
  statusText: string;
  answer: string;
  result?: AssistantResult;
  error?: { code: string; message: string };
  showQuery: boolean;
}

/**
 * The assistant chat panel, loaded lazily by `<tc-ai-assistant>`. Answers stream in as text;
 * each answer carries its chart, its table, the semantic query that ran ("show the query"),
 * copy and retry. Every value from data or the model is rendered through Lit text bindings,
 * never as HTML.
 *
 * The panel has a fixed height (`--tc-assistant-height`, 560px by default): its message area
 * scrolls, and follows new answers unless the reader has scrolled up to read an earlier one.
 * "New conversation" forgets the conversation; the next question starts a new one.
 *
 * @csspart header, title, new-conversation, messages, turn, question, answer, chart, table, query, actions, suggestions, form, input, send, error, applied
 */
export class TcAiAssistantPanel extends LitElement {
  static override properties = {
    client: { attribute: false },
    locale: { type: String },
    heading: { type: String },
    _turns: { state: true },
    _suggestions: { state: true },
    _busy: { state: true },
  };

  static override styles = [
    themeTokens,
    css`
    :host {
      display: flex; flex-direction: column; gap: 8px; font-family: var(--_font); color: var(--_fg); background: var(--_bg);
      border: 1px solid var(--_border); border-radius: var(--_radius); padding: 12px; box-sizing: border-box;
      /* Bounded: the messages scroll inside, the panel never grows with the conversation. */
      height: var(--tc-assistant-height, 560px); max-height: 100%; min-height: 320px;
    }
    header { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding-bottom: 8px; border-bottom: 1px solid var(--_border); }
    h2 { margin: 0; font-size: 1rem; font-weight: 600; min-width: 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
    .new { white-space: nowrap; flex: none; font-size: 0.875em; padding: 3px 9px; }
    .messages { flex: 1 1 auto; min-height: 0; overflow-y: auto; overscroll-behavior: contain; display: flex; flex-direction: column; gap: 14px; padding-right: 4px; }
    .empty { color: var(--_muted); margin: 4px 0; }
    .turn { display: flex; flex-direction: column; gap: 6px; }
    /* A tint of the accent with the theme's text colour: readable in light and dark alike. */
    .question { align-self: flex-end; background: color-mix(in srgb, var(--_accent) 16%, var(--_bg)); border: 1px solid color-mix(in srgb, var(--_accent) 45%, var(--_bg)); color: var(--_fg); border-radius: var(--_radius); padding: 6px 10px; max-width: 85%; white-space: pre-wrap; }
    .answer { white-space: pre-wrap; margin: 0; line-height: 1.45; }
    details { font-size: 0.9em; }
    summary { cursor: pointer; color: var(--_muted); }
    .table-wrap { max-height: 240px; overflow: auto; }
    .status, .applied { color: var(--_muted); font-size: 0.85em; margin: 0; }
    .status::after { content: ''; display: inline-block; width: 0.8em; text-align: left; animation: dots 1.2s steps(4) infinite; }
    @keyframes dots { 0% { content: ''; } 25% { content: '.'; } 50% { content: '..'; } 75% { content: '...'; } }
    @media (prefers-reduced-motion: reduce) { .status::after { animation: none; } }
    .chart { display: block; height: 220px; }
    table { border-collapse: collapse; width: 100%; font-size: 0.85em; }
    th, td { border-bottom: 1px solid var(--_border); padding: 3px 6px; text-align: left; }
    .num { text-align: right; font-variant-numeric: tabular-nums; }
    .kpi { font-size: 1.8em; font-weight: 600; }
    pre { background: color-mix(in srgb, var(--_border) 40%, transparent); padding: 8px; border-radius: 4px; overflow: auto; font-size: 0.8em; }
    .actions, .suggestions, .options { display: flex; gap: 6px; flex-wrap: wrap; }
    button { font: inherit; border: 1px solid var(--_border); background: transparent; color: inherit; border-radius: 999px; padding: 3px 10px; cursor: pointer; }
    button:hover { border-color: var(--_accent); }
    form { display: flex; gap: 6px; }
    button:disabled { opacity: 0.55; cursor: default; }
    .suggestions button, .options button { text-align: left; border-radius: 16px; }
    textarea { flex: 1; font: inherit; resize: none; min-height: 2.4em; max-height: 8em; border: 1px solid var(--_border); border-radius: var(--_radius); padding: 6px; background: var(--_bg); color: var(--_fg); }
    .send { background: var(--_accent); color: #fff; border-color: var(--_accent); border-radius: var(--_radius); }
    .error { color: var(--_danger); }
  `,
  ];

  client: EmbedClient | undefined;
  locale: string | undefined;
  /** The panel's title. */
  heading = 'Ask about your data';
  private _turns: Turn[] = [];
  private _suggestions: string[] = [];
  private _busy = false;
  #conversationId: string | undefined;
  #nextId = 1;
  #controller: AbortController | undefined;
  /** Whether the reader is at the bottom of the messages: only then do new answers scroll into view. */
  #following = true;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#controller?.abort();
  }

  /** Load suggested questions from the catalog; resolves when the panel is usable. */
  async loadSuggestions(): Promise<void> {
    if (!this.client) return;
    try {
      const [catalog, titles] = await Promise.all([this.client.json<CatalogResponse>('/v1/catalog'), this.#chartTitles()]);
      this._suggestions = suggestedQuestions(catalog, titles);
    } catch (error) {
      this._suggestions = [];
      this.#emitError(error);
    }
  }

  /**
   * Titles of charts on the dashboards in the token's scope: questions the user already knows
   * from their dashboard. Suggestions are a nicety, so a failure here only leaves them out.
   */
  async #chartTitles(): Promise<string[]> {
    const client = this.client;
    if (!client) return [];
    try {
      const { dashboards } = await client.json<DashboardListResponse>('/v1/dashboards');
      const first = dashboards[0];
      if (!first) return [];
      const definition = await client.json<DashboardSummary>(`/v1/dashboards/${encodeURIComponent(first.id)}`);
      return definition.charts.filter((c) => c.permitted && c.type !== 'kpi' && c.type !== 'table').map((c) => c.title);
    } catch {
      return [];
    }
  }

  /** Forget the conversation: the next question starts a new one, with no earlier context. */
  newConversation(): void {
    this.#controller?.abort();
    this.#controller = undefined;
    this.#conversationId = undefined;
    this._turns = [];
    this._busy = false;
    this.#following = true;
    const input = this.renderRoot.querySelector('textarea');
    if (input) {
      input.value = '';
      input.focus();
    }
    this.dispatchEvent(new CustomEvent('tc-new-conversation', { bubbles: true, composed: true }));
  }

  /** Ask a question (also used by suggestions, clarification options and retry). */
  async ask(question: string): Promise<AssistantResult | undefined> {
    const text = question.trim();
    if (!text || !this.client || this._busy) return undefined;
    const turn: Turn = { id: this.#nextId++, question: text, status: 'thinking', statusText: 'Thinking', answer: '', showQuery: false };
    // Asking is a wish to see the answer: follow it even if the reader had scrolled up.
    this.#following = true;
    this._turns = [...this._turns, turn];
    this._busy = true;
    this.#controller = new AbortController();
    const update = (patch: Partial<Turn>) => {
      Object.assign(turn, patch);
      this._turns = [...this._turns];
    };
    const controller = this.#controller;
    try {
      const response = await this.client.request('/v1/assistant/messages', {
        method: 'POST',
        body: { question: text, ...(this.#conversationId ? { conversationId: this.#conversationId } : {}) },
        accept: 'text/event-stream',
        signal: controller.signal,
      });
      if (!response.body) throw new EmbedRequestError('internal_error', 'The answer could not be read.', response.status);
      for await (const event of readEvents(response.body)) {
        if (event.event === 'status') update({ statusText: STATUS_TEXT[event.data.status] ?? 'Working' });
        else if (event.event === 'answer') update({ status: 'streaming', answer: turn.answer + event.data.delta });
        else if (event.event === 'error') throw new EmbedRequestError(event.data.code as ErrorCode, event.data.message, 200, event.data.requestId);
        else {
          this.#conversationId = event.data.conversationId;
          update({ status: 'done', answer: event.data.answer, result: event.data });
          this.dispatchEvent(new CustomEvent('tc-answer', { detail: { question: text, result: event.data }, bubbles: true, composed: true }));
        }
      }
      if (turn.status !== 'done') throw new EmbedRequestError('internal_error', 'The answer was cut off.', 0);
      return turn.result;
    } catch (error) {
      if (isAbortError(error)) return undefined;
      const detail = this.#emitError(error);
      update({ status: 'error', error: { code: detail.code, message: detail.message } });
      return undefined;
    } finally {
      // A "New conversation" meanwhile has already reset the panel; this turn no longer exists.
      if (this.#controller === controller) this._busy = false;
    }
  }

  #emitError(error: unknown): TcErrorDetail {
    const detail: TcErrorDetail =
      error instanceof EmbedRequestError
        ? { code: error.code, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}) }
        : { code: 'internal_error', message: 'The assistant is unavailable.' };
    this.dispatchEvent(new CustomEvent('tc-error', { detail, bubbles: true, composed: true }));
    return detail;
  }

  #palette(): ChartPalette {
    const style = getComputedStyle(this);
    const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const accent = read('--_accent', '#2f6fed');
    // The dashboard's palette (tc-dashboard.ts), so an answer's chart looks like its tile.
    return {
      fg: read('--_fg', '#1b1f24'),
      muted: read('--_muted', '#5f6b7a'),
      border: read('--_border', '#dfe3e8'),
      accent,
      font: read('--_font', 'sans-serif'),
      surface: read('--_tile-bg', read('--_bg', '#ffffff')),
      series: [accent, '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'],
    };
  }

  #onSubmit(event: Event): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector('textarea');
    if (!input) return;
    const value = input.value;
    input.value = '';
    void this.ask(value);
  }

  #onKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey) this.#onSubmit(event);
  }

  #renderResult(turn: Turn, result: AssistantResult): TemplateResult {
    const data = result.data;
    const chart = result.chart;
    let visual: TemplateResult | typeof nothing = nothing;
    if (data && chart && result.query) {
      // The same definition a dashboard tile of this query has: format and titles included.
      const definition: ChartDefinition = { id: `answer-${turn.id}`, type: chart.type, title: chart.title, query: result.query, permitted: true, ...(chart.format ? { format: chart.format } : {}) };
      const shown = relabel(data, chart.labels);
      visual =
        chart.type === 'kpi'
          ? html`<div part="chart">${kpiView(definition, shown, this.locale)}</div>`
          : chart.type === 'table'
            ? nothing
            : html`<tc-chart class="chart" part="chart" .option=${buildChartConfig(definition, shown, this.#palette(), this.locale)} label=${chart.title}></tc-chart>`;
      const rows = data.rows.length;
      const table =
        rows > 0 && chart.type !== 'kpi'
          ? html`<details part="table" ?open=${chart.type === 'table'}><summary>Data (${rows} ${rows === 1 ? 'row' : 'rows'})</summary><div class="table-wrap">${tableView(definition, shown, this.locale)}</div></details>`
          : nothing;
      visual = html`${visual}${table}`;
    }
    return html`${visual}
      ${result.appliedFilters ? html`<p class="applied" part="applied">${result.appliedFilters}</p>` : nothing}
      ${result.clarification?.options?.length
        ? html`<div class="options">${result.clarification.options.map((option) => html`<button @click=${() => void this.ask(option)}>${option}</button>`)}</div>`
        : nothing}
      ${turn.showQuery && result.query ? html`<pre part="query">${JSON.stringify(result.query, null, 2)}</pre>` : nothing}`;
  }

  #renderTurn(turn: Turn): TemplateResult {
    const copy = () => void navigator.clipboard?.writeText(turn.answer).catch(() => undefined);
    const toggle = () => {
      turn.showQuery = !turn.showQuery;
      this._turns = [...this._turns];
    };
    return html`<div class="turn" part="turn">
      <div class="question" part="question">${turn.question}</div>
      ${turn.status === 'thinking' ? html`<p class="status" role="status">${turn.statusText}</p>` : nothing}
      ${turn.answer ? html`<p class="answer" part="answer">${turn.answer}</p>` : nothing}
      ${turn.result ? this.#renderResult(turn, turn.result) : nothing}
      ${turn.error ? html`<p class="error" part="error" role="alert">${turn.error.message} (<code>${turn.error.code}</code>)</p>` : nothing}
      ${turn.status === 'done' || turn.status === 'error'
        ? html`<div class="actions" part="actions">
            ${turn.result?.query ? html`<button @click=${toggle}>${turn.showQuery ? 'Hide the query' : 'Show the query'}</button>` : nothing}
            ${turn.answer ? html`<button @click=${copy}>Copy</button>` : nothing}
            <button @click=${() => void this.ask(turn.question)} ?disabled=${this._busy}>Retry</button>
          </div>`
        : nothing}
    </div>`;
  }

  #onScroll(event: Event): void {
    const messages = event.currentTarget as HTMLElement;
    this.#following = messages.scrollHeight - messages.scrollTop - messages.clientHeight < 48;
  }

  protected override updated(): void {
    if (!this.#following) return;
    const messages = this.renderRoot.querySelector<HTMLElement>('.messages');
    if (messages) messages.scrollTop = messages.scrollHeight;
  }

  protected override render(): TemplateResult {
    return html`<header part="header">
        <h2 part="title">${this.heading}</h2>
        <button class="new" part="new-conversation" @click=${() => this.newConversation()} ?disabled=${this._turns.length === 0}>New conversation</button>
      </header>
      <div class="messages" part="messages" aria-live="polite" @scroll=${this.#onScroll}>
        ${this._turns.length === 0
          ? html`<p class="empty">Ask a question about your data${this._suggestions.length > 0 ? ', for example:' : '.'}</p>
              ${this._suggestions.length > 0 ? html`<div class="suggestions" part="suggestions">${this._suggestions.map((s) => html`<button @click=${() => void this.ask(s)}>${s}</button>`)}</div>` : nothing}`
          : nothing}
        ${this._turns.map((turn) => this.#renderTurn(turn))}
      </div>
      <form part="form" @submit=${this.#onSubmit}>
        <textarea part="input" aria-label="Ask a question about your data" placeholder="Ask a question about your data" maxlength="2000" @keydown=${this.#onKey}></textarea>
        <button class="send" part="send" type="submit" ?disabled=${this._busy}>Ask</button>
      </form>`;
  }
}

const STATUS_TEXT: Record<string, string> = { planning: 'Understanding the question', querying: 'Running the query', writing: 'Writing the answer' };

/**
 * The result with its columns named by their titles ("Product", not "product.name"), so the
 * shared tile views show titles in headers and legends. Names stay when titles would collide.
 */
function relabel(data: QueryResponse, labels: Record<string, string> | undefined): QueryResponse {
  if (!labels) return data;
  const names = data.columns.map((c) => labels[c.name] ?? c.name);
  if (new Set(names).size !== names.length) return data;
  return {
    ...data,
    columns: data.columns.map((c, i) => ({ ...c, name: names[i]! })),
    rows: data.rows.map((row) => Object.fromEntries(data.columns.map((c, i) => [names[i]!, row[c.name] ?? null]))),
  };
}

if (!customElements.get('tc-ai-assistant-panel')) customElements.define('tc-ai-assistant-panel', TcAiAssistantPanel);

declare global {
  interface HTMLElementTagNameMap {
    'tc-ai-assistant-panel': TcAiAssistantPanel;
  }
}
