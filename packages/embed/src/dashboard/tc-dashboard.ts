import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { ErrorCode } from '@perch/protocol/errors';
import { EmbedClient, type FetchToken } from '../client/embed-client.js';
import { EmbedRequestError, isAbortError } from '../client/embed-error.js';
import { afterPageScripts } from '../client/page-scripts.js';
import type { ChartDefinition, DashboardDefinition, DashboardFilters, DashboardQueryBody, PerchEventMap, QueryResponse, TcErrorDetail, TileBatchBody, TileLeadLine, TileLine, EmbedSession } from '../types.js';
import { buildChartConfig, type ChartOption, type ChartPalette } from '../charts/chart-options.js';
import { dateRangeOptions } from './date-presets.js';
import { loadChartJs } from '../charts/tc-chart.js';
import { dashboardStyles } from './styles.js';
import { kpiView, tableView } from './tile-views.js';
import { warmFormatters } from '../format/formatters.js';
import '../charts/tc-chart.js';

type TileState =
  | { status: 'loading' }
  | { status: 'ready'; result: QueryResponse }
  | { status: 'error'; code: ErrorCode; message: string; requestId?: string | undefined }
  | { status: 'forbidden' };

type LoadState = { status: 'idle' | 'loading' | 'ready' } | { status: 'error'; code: ErrorCode; message: string };

/**
 * One round of tile results from `POST /v1/dashboards/{id}/tiles`. Lines that arrive before the
 * dashboard is ready to show them (the first round is sent together with the definition) are
 * kept until `attach` hands them over.
 */
interface TileRound {
  controller: AbortController;
  /** Settles when the stream ends; never rejects (the failure, if any, is its value). */
  done: Promise<{ failure?: unknown }>;
  attach(sink: (line: TileLine) => void): void;
}

/** Origin of the script that defined this element: Perch serves it, so its API lives there too. */
const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return '';
  }
})();

/**
 * `<tc-dashboard>`: a Perch dashboard, queried with the viewer's embed token.
 *
 * @example
 * ```html
 * <script type="module" src="https://perch.example.com/embed/perch.js"></script>
 * <tc-dashboard dashboard="sales"></tc-dashboard>
 * <script>
 *   document.querySelector('tc-dashboard').fetchToken = () =>
 *     fetch('/api/perch-token', { method: 'POST' }).then((r) => r.json()).then((b) => b.token);
 * </script>
 * ```
 *
 * @fires tc-ready - every permitted tile has settled; detail `{dashboard, durationMs}`
 * @fires tc-error - detail `{code, message, requestId?, chart?}`
 * @fires tc-token-expired - Perch answered 401 `token_expired`
 * @csspart header, title, description, filters, filter, grid, tile, tile-title, tile-body,
 *   skeleton, error, not-permitted, kpi, table, export-button
 */
export class TcDashboard extends LitElement {
  static override properties = {
    dashboard: { type: String },
    token: { type: String },
    apiBase: { type: String, attribute: 'api-base' },
    theme: { type: String, reflect: true },
    locale: { type: String },
    fetchToken: { attribute: false },
    _definition: { state: true },
    _load: { state: true },
    _tiles: { state: true },
    _filters: { state: true },
    _pickerOptions: { state: true },
  };

  static override styles = dashboardStyles;

  /** Dashboard id from the semantic model. */
  dashboard = '';
  /** The embed token (opaque). Prefer `fetchToken` so the component can refresh it. */
  token: string | undefined;
  /** Perch base URL; defaults to the origin that served this script. */
  apiBase: string | undefined;
  /** `light` or `dark`; unset follows `prefers-color-scheme`. */
  theme: 'light' | 'dark' | undefined;
  /** BCP 47 locale for number and date formats; defaults to the browser's. */
  locale: string | undefined;
  /** Host callback returning a fresh embed token. */
  fetchToken: FetchToken | undefined;

  private _definition: DashboardDefinition | undefined;
  private _load: LoadState = { status: 'idle' };
  private _tiles = new Map<string, TileState>();
  private _filters: DashboardFilters = {};
  private _pickerOptions = new Map<string, Array<string | number>>();

  #client: EmbedClient | undefined;
  #loadController: AbortController | undefined;
  #tileRound: TileRound | undefined;
  #round = 0;
  #pendingLoad = true;
  #colorScheme: MediaQueryList | undefined;
  /**
   * The last chart configuration per tile result. The dashboard re-renders whenever any tile
   * settles; handing a chart an identical but new configuration would make Chart.js redo its
   * layout and animation, so a configuration is rebuilt only when its inputs change.
   */
  #chartConfigs = new WeakMap<QueryResponse, { key: string; config: ChartOption }>();
  #onColorScheme = (): void => this.requestUpdate();

  /** The shared API client (token refresh and retry), for composing components. */
  get client(): EmbedClient | undefined {
    return this.#client;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#colorScheme?.removeEventListener('change', this.#onColorScheme);
    this.#abortAll();
    this.#client?.dispose();
    this.#client = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Chart colours are read from CSS once per render; without a theme attribute the OS scheme
    // decides them, so a scheme switch must re-render to repaint the canvases.
    this.#colorScheme ??= typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
    this.#colorScheme?.addEventListener('change', this.#onColorScheme);
    // Reconnected after a move in the DOM: reload what disconnectedCallback tore down.
    if (this.hasUpdated && !this.#client) {
      this.#pendingLoad = true;
      this.requestUpdate();
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.#client && changed.has('token')) this.#client.setToken(this.token);
    if (this.#client && changed.has('fetchToken')) this.#client.setFetchToken(this.fetchToken);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const identityChanged = changed.has('dashboard') || changed.has('apiBase');
    const credentialsArrived = (changed.has('token') || changed.has('fetchToken')) && this._load.status !== 'ready' && this._load.status !== 'loading';
    if (this.#pendingLoad || identityChanged || credentialsArrived) {
      this.#pendingLoad = false;
      void this.#reload();
    }
  }

  async #reload(): Promise<void> {
    this.#abortAll();
    this.#client?.dispose();
    if (!this.dashboard) return;
    if (!this.token && !this.fetchToken) {
      this.#client = undefined;
      // Hosts often set `fetchToken` from their own script, which may run after this element
      // upgrades; wait for the page's scripts before reporting token_missing (updated() reloads
      // as soon as credentials arrive).
      await afterPageScripts();
      if (this.token || this.fetchToken || !this.isConnected) return;
      this._load = { status: 'error', code: 'token_missing', message: 'Set the token attribute or a fetchToken callback.' };
      this.#emitError({ code: 'token_missing', message: this._load.message });
      return;
    }
    const client = new EmbedClient({
      apiBase: this.apiBase || SCRIPT_ORIGIN,
      token: this.token,
      fetchToken: this.fetchToken,
      onTokenExpired: (willRefresh) => this.#emit('tc-token-expired', { willRefresh }),
    });
    this.#client = client;
    const controller = new AbortController();
    this.#loadController = controller;
    this._load = { status: 'loading' };
    const started = performance.now();
    // One request for the whole first load: the session (which arms the token refresh timer) and
    // the definition arrive at the head of the tiles stream, and the server starts the warehouse
    // work at once, since it knows the dashboard's charts and default filters. One request means
    // one CORS preflight, and the session and definition are not stuck behind a busy server.
    // An empty filter set means every chart this token may see, with the dashboard's defaults,
    // which is exactly the first round the definition would ask for.
    let session: EmbedSession | undefined;
    let definition: DashboardDefinition | undefined;
    let leadArrived: () => void = () => undefined;
    const lead = new Promise<void>((resolve) => (leadArrived = resolve));
    const firstRound = this.#startTiles(client, this.dashboard, { include: ['session', 'definition'] }, (line) => {
      if ('session' in line) {
        session = line.session;
        client.acceptSession(line.session);
      } else {
        definition = line.definition;
        // The definition leads the stream, so the chart code (only when a chart tile needs it)
        // downloads while the tiles are still being computed.
        if (definition.charts.some((c) => c.permitted && c.type !== 'kpi' && c.type !== 'table')) void loadChartJs().catch(() => undefined);
      }
      if (session && definition) leadArrived();
    });
    // The page waits for the network now: load the locale data the tiles will format with. After
    // the request is on its way, since a cold page spends tens of milliseconds on it.
    setTimeout(() => warmFormatters(this.locale), 0);
    try {
      // Both must arrive before the tiles are shown; a refused request (scope, origin, token)
      // ends the stream before them with its error.
      const ended = await Promise.race([lead.then(() => undefined), firstRound.done]);
      if (controller.signal.aborted) return;
      if (ended !== undefined) throw ended.failure ?? new EmbedRequestError('internal_error', 'Perch sent no dashboard definition.', 200);
      if (!definition) return;
      this._definition = definition;
      this._filters = initialFilters(definition);
      this._pickerOptions = new Map();
      this._load = { status: 'ready' };
      // Tiles first: the pickers' value look-ups are warehouse scans too, and on a busy server
      // they would compete with the tiles for connections and cores. They start once every
      // tile query has settled, so they never delay the first complete dashboard.
      const shown = definition;
      await this.#queryAll(started, () => void this.#loadPickerOptions(shown, controller.signal), firstRound);
    } catch (error) {
      // The definition failed, so its tiles will never be shown.
      firstRound.controller.abort();
      if (isAbortError(error) || controller.signal.aborted) return;
      const detail = toErrorDetail(error);
      this._load = { status: 'error', code: detail.code, message: detail.message };
      this.#emitError(detail);
    }
  }

  async #loadPickerOptions(definition: DashboardDefinition, signal: AbortSignal): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await Promise.all(
      definition.filters.pickers.map(async (picker) => {
        const query = new URLSearchParams({ member: picker.member });
        try {
          const body = await client.json<{ values: Array<string | number> }>(
            `/v1/dashboards/${encodeURIComponent(definition.id)}/filter-values?${query.toString()}`,
            { signal },
          );
          this._pickerOptions = new Map(this._pickerOptions).set(picker.member, body.values);
        } catch (error) {
          if (!isAbortError(error)) this.#emitError(toErrorDetail(error));
        }
      }),
    );
  }

  /**
   * Query every permitted tile for the current filters; emits `tc-ready` when this round settles.
   * `afterQueries` runs once the tile queries have settled (before the charts finish drawing),
   * even when a newer round superseded this one. `pending` is a round already under way.
   */
  async #queryAll(started = performance.now(), afterQueries?: () => void, pending?: TileRound): Promise<void> {
    const definition = this._definition;
    const client = this.#client;
    if (!definition || !client) return;
    const round = ++this.#round;
    const tiles = new Map<string, TileState>();
    for (const chart of definition.charts) tiles.set(chart.id, chart.permitted ? { status: 'loading' } : { status: 'forbidden' });
    this._tiles = tiles;
    const batch = pending ?? this.#startTiles(client, definition.id, { ...this.#filtersBody() });
    batch.attach((line) => {
      // Only tiles this dashboard shows as permitted take a result; anything else is ignored.
      if (round !== this.#round || this._tiles.get(line.chart)?.status !== 'loading') return;
      if (line.result) {
        this.#setTile(line.chart, { status: 'ready', result: line.result });
      } else {
        const { code, message, requestId } = line.error;
        this.#setTile(line.chart, { status: 'error', code, message, requestId });
        this.#emitError({ code, message, ...(requestId ? { requestId } : {}), chart: line.chart });
      }
    });
    const { failure } = await batch.done;
    if (round === this.#round && !batch.controller.signal.aborted) {
      // Tiles the stream did not answer (the request failed, or the connection dropped) say so.
      const detail = failure === undefined ? { code: 'internal_error' as const, message: 'Perch sent no result for this tile.' } : toErrorDetail(failure);
      const unanswered = [...this._tiles].filter(([, state]) => state.status === 'loading').map(([id]) => id);
      for (const id of unanswered) this.#setTile(id, { status: 'error', code: detail.code, message: detail.message, requestId: detail.requestId });
      if (unanswered.length > 0) this.#emitError(failure === undefined ? { ...detail, chart: unanswered[0]! } : detail);
    }
    afterQueries?.();
    if (round !== this.#round) return; // superseded by a newer filter change
    await this.updateComplete;
    const charts = Array.from(this.renderRoot.querySelectorAll('tc-chart'));
    await Promise.all(charts.map(async (c) => {
      await c.updateComplete;
      await c.rendered;
    }));
    if (round !== this.#round) return;
    this.#emit('tc-ready', { dashboard: definition.id, durationMs: Math.round(performance.now() - started) });
  }

  /**
   * Send one round of tile queries as a single request; a newer round cancels the older one.
   * One request instead of one per tile means one CORS preflight and one connection, instead of
   * tiles queuing behind each other's preflights in the browser's six connections per origin.
   */
  #startTiles(client: EmbedClient, dashboard: string, body: TileBatchBody, onLead?: (line: TileLeadLine) => void): TileRound {
    this.#tileRound?.controller.abort();
    const controller = new AbortController();
    const early: TileLine[] = [];
    let sink: ((line: TileLine) => void) | undefined;
    const done = client
      .jsonLines<TileLine | TileLeadLine>(`/v1/dashboards/${encodeURIComponent(dashboard)}/tiles`, { method: 'POST', body, signal: controller.signal }, (line) => {
        if (line.chart === undefined) onLead?.(line);
        else if (sink) sink(line);
        else early.push(line);
      })
      .then(
        () => ({}),
        (failure: unknown) => (isAbortError(failure) || controller.signal.aborted ? {} : { failure }),
      );
    const round: TileRound = {
      controller,
      done,
      attach(next) {
        sink = next;
        for (const line of early.splice(0)) next(line);
      },
    };
    this.#tileRound = round;
    return round;
  }

  /** The filters of the current state as the server expects them (an explicit null included). */
  #filtersBody(): { filters?: DashboardFilters } {
    const filters: DashboardFilters = {};
    // An explicit null ("All time") must reach the server, or it would apply the default range.
    if (this._filters.dateRange !== undefined) filters.dateRange = this._filters.dateRange;
    const values = Object.entries(this._filters.values ?? {}).filter(([, v]) => v.length > 0);
    if (values.length > 0) filters.values = Object.fromEntries(values);
    return Object.keys(filters).length > 0 ? { filters } : {};
  }

  #queryBody(definition: DashboardDefinition, chart: ChartDefinition): DashboardQueryBody {
    return { dashboard: definition.id, chart: chart.id, ...this.#filtersBody() };
  }

  #setTile(id: string, state: TileState): void {
    this._tiles = new Map(this._tiles).set(id, state);
  }

  #onDateRange(event: Event): void {
    const value = (event.target as HTMLSelectElement).value;
    this._filters = { ...this._filters, dateRange: value === '' ? null : value };
    void this.#queryAll();
  }

  #onPicker(member: string, event: Event): void {
    const select = event.target as HTMLSelectElement;
    const raw = select.value;
    const options = this._pickerOptions.get(member) ?? [];
    // Send the option's original type back (numbers stay numbers).
    const picked = options.find((o) => String(o) === raw);
    const values = { ...(this._filters.values ?? {}) };
    if (raw === '' || picked === undefined) delete values[member];
    else values[member] = [picked];
    this._filters = { ...this._filters, values };
    void this.#queryAll();
  }

  async #export(chart: ChartDefinition): Promise<void> {
    const definition = this._definition;
    const client = this.#client;
    if (!definition || !client) return;
    try {
      // fetch + Blob keeps the token in the Authorization header; a plain link would need it in the URL.
      const response = await client.request('/v1/export', { method: 'POST', body: this.#queryBody(definition, chart), accept: 'text/csv' });
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = `${definition.id}-${chart.id}.csv`;
      anchor.rel = 'noopener';
      anchor.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      if (!isAbortError(error)) this.#emitError(toErrorDetail(error, chart.id));
    }
  }

  #abortAll(): void {
    this.#round++;
    this.#loadController?.abort();
    this.#tileRound?.controller.abort();
    this.#tileRound = undefined;
  }

  #emit<K extends keyof PerchEventMap>(type: K, detail: PerchEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #emitError(detail: TcErrorDetail): void {
    this.#emit('tc-error', detail);
  }

  #palette(): ChartPalette {
    const style = getComputedStyle(this);
    const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
    const accent = read('--_accent', '#2f6fed');
    return {
      fg: read('--_fg', '#1b1f24'),
      muted: read('--_muted', '#5f6b7a'),
      border: read('--_border', '#dfe3e8'),
      accent,
      font: read('--_font', 'sans-serif'),
      surface: read('--_tile-bg', '#ffffff'),
      series: [accent, '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#9c755f'],
    };
  }

  protected override render(): TemplateResult {
    if (this._load.status === 'error') {
      return html`<div class="error" part="error" role="alert">Dashboard unavailable (<code>${this._load.code}</code>): ${this._load.message}</div>`;
    }
    const definition = this._definition;
    if (!definition) {
      return html`<div class="grid" part="grid" aria-busy="true"><div class="tile" style="--_x:1;--_w:12;--_y:1;--_h:2"><div class="skeleton" part="skeleton"></div></div></div>`;
    }
    const byId = new Map(definition.charts.map((c) => [c.id, c] as const));
    const palette = this.#palette();
    return html`
      <header part="header">
        <h2 part="title">${definition.title}</h2>
        ${definition.description ? html`<p class="description" part="description">${definition.description}</p>` : nothing}
      </header>
      ${this.#renderFilters(definition)}
      <div class="grid" part="grid" style=${styleMap({ '--_columns': String(clampInt(definition.layout.columns, 1, 24, 12)) })}>
        ${definition.layout.items.map((item) => {
          const chart = byId.get(item.chart);
          return chart ? this.#renderTile(definition, chart, item, palette) : nothing;
        })}
      </div>
    `;
  }

  #renderFilters(definition: DashboardDefinition): TemplateResult | typeof nothing {
    const { dateRange, pickers } = definition.filters;
    if (!dateRange && pickers.length === 0) return nothing;
    return html`<form class="filters" part="filters" aria-label="Dashboard filters" @submit=${(e: Event) => e.preventDefault()}>
      ${dateRange
        ? html`<label part="filter"
            >Date range
            <select name="dateRange" @change=${(e: Event) => this.#onDateRange(e)}>
              ${dateRangeOptions(dateRange.default).map(
                (o) => html`<option value=${o.value} ?selected=${(typeof this._filters.dateRange === 'string' ? this._filters.dateRange : '') === o.value}>${o.label}</option>`,
              )}
            </select></label
          >`
        : nothing}
      ${pickers.map((picker) => {
        const selected = this._filters.values?.[picker.member]?.[0];
        return html`<label part="filter"
          >${picker.title}
          <select name=${picker.member} @change=${(e: Event) => this.#onPicker(picker.member, e)}>
            <option value="" ?selected=${selected === undefined}>All</option>
            ${(this._pickerOptions.get(picker.member) ?? []).map(
              (v) => html`<option value=${String(v)} ?selected=${selected !== undefined && String(selected) === String(v)}>${String(v)}</option>`,
            )}
          </select></label
        >`;
      })}
    </form>`;
  }

  #renderTile(definition: DashboardDefinition, chart: ChartDefinition, item: DashboardDefinition['layout']['items'][number], palette: ChartPalette): TemplateResult {
    const state = this._tiles.get(chart.id) ?? { status: 'loading' };
    const place = styleMap({
      '--_x': String(clampInt(item.x, 0, 23, 0) + 1),
      '--_y': String(clampInt(item.y, 0, 999, 0) + 1),
      '--_w': String(clampInt(item.w, 1, 24, 6)),
      '--_h': String(clampInt(item.h, 1, 24, 3)),
    });
    const canExport = definition.canExport && chart.permitted && state.status === 'ready';
    return html`<section
      class="tile"
      part="tile"
      role="region"
      tabindex="0"
      aria-label=${chart.title}
      aria-busy=${state.status === 'loading' ? 'true' : 'false'}
      data-chart=${chart.id}
      data-status=${state.status}
      style=${place}
    >
      <div class="tile-head">
        <h3 class="tile-title" part="tile-title">${chart.title}</h3>
        ${canExport
          ? html`<button class="export" part="export-button" type="button" aria-label=${`Export ${chart.title} as CSV`} @click=${() => void this.#export(chart)}>CSV</button>`
          : nothing}
      </div>
      <div class="tile-body" part="tile-body">${this.#renderTileBody(chart, state, palette)}</div>
    </section>`;
  }

  #chartConfig(chart: ChartDefinition, result: QueryResponse, palette: ChartPalette): ChartOption {
    const key = JSON.stringify([chart.type, chart.format, this.locale ?? '', palette]);
    const cached = this.#chartConfigs.get(result);
    if (cached?.key === key) return cached.config;
    const config = buildChartConfig(chart, result, palette, this.locale);
    this.#chartConfigs.set(result, { key, config });
    return config;
  }

  #renderTileBody(chart: ChartDefinition, state: TileState, palette: ChartPalette): TemplateResult {
    switch (state.status) {
      case 'loading':
        return html`<div class="skeleton" part="skeleton" aria-hidden="true"></div>`;
      case 'forbidden':
        return html`<p class="not-permitted" part="not-permitted">You do not have permission to view this chart.</p>`;
      case 'error':
        return html`<p class="error" part="error" role="alert" data-code=${state.code}>
          Could not load (<code>${state.code}</code>)${state.requestId ? html`, request ${state.requestId}` : nothing}
        </p>`;
      case 'ready':
        if (chart.type === 'kpi') return kpiView(chart, state.result, this.locale);
        if (chart.type === 'table') return tableView(chart, state.result, this.locale);
        return html`<tc-chart .option=${this.#chartConfig(chart, state.result, palette)} label=${chart.title}></tc-chart>`;
    }
  }
}

function initialFilters(definition: DashboardDefinition): DashboardFilters {
  const preset = definition.filters.dateRange?.default;
  return preset ? { dateRange: preset } : {};
}

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : fallback;
}

function toErrorDetail(error: unknown, chart?: string): TcErrorDetail {
  const base: TcErrorDetail =
    error instanceof EmbedRequestError
      ? { code: error.code, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}) }
      : { code: 'internal_error', message: 'Unexpected error while rendering the dashboard.' };
  return chart ? { ...base, chart } : base;
}

if (!customElements.get('tc-dashboard')) customElements.define('tc-dashboard', TcDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'tc-dashboard': TcDashboard;
  }
  interface HTMLElementEventMap extends PerchEventMap {}
}
