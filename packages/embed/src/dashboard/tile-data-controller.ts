import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ErrorCode } from '@perch/protocol/errors';
import { EmbedClient, type FetchToken } from '../client/embed-client.js';
import { EmbedRequestError, isAbortError } from '../client/embed-error.js';
import { afterPageScripts } from '../client/page-scripts.js';
import { loadChartJs } from '../charts/tc-chart.js';
import { warmFormatters } from '../format/formatters.js';
import { downloadBlob } from './download.js';
import type { RowsPage, RowsPanelState } from './rows-view.js';
import { previousPeriod } from './previous-period.js';
import { emitPerchEvent, type PerchEventMap, type TcErrorDetail } from '../events.js';
import { isEmptyResult, type TableSort } from './tile-views.js';
import type { ChartDefinition, CrossFilter, DrillStep, DashboardDefinition, DashboardFilters, DashboardQueryBody, EmbedSession, QueryResponse, TileBatchBody, TileLeadLine, TileLine } from '../types.js';

/**
 * What one tile shows. `previous` is the tile's last good result: it stays on screen while the
 * tile reloads (a filter change, a token refresh) and when a reload fails, so a hiccup never
 * blanks data the user was reading.
 */
export type TileState =
  | { status: 'loading'; previous?: QueryResponse | undefined }
  | { status: 'ready'; result: QueryResponse; unapplied?: string[] | undefined }
  | { status: 'error'; code: ErrorCode; message: string; requestId?: string | undefined; previous?: QueryResponse | undefined }
  | { status: 'forbidden' };

export type LoadState = { status: 'idle' | 'loading' | 'ready' } | { status: 'error'; code: ErrorCode; message: string; requestId?: string | undefined };

/** The element the controller serves: its public properties are the controller's inputs. */
export interface TileDataHost extends ReactiveControllerHost, EventTarget {
  readonly dashboard: string;
  readonly token: string | undefined;
  readonly fetchToken: FetchToken | undefined;
  readonly apiBase: string | undefined;
  readonly locale: string | undefined;
  readonly isConnected: boolean;
}

export interface TileDataOptions {
  /** Perch's origin when the host sets no `api-base`. */
  defaultApiBase: string;
  /** Resolves once the host's charts have drawn the current results (for `tc-ready`). */
  chartsDrawn: () => Promise<void>;
}

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

/**
 * Owns a dashboard's data: the definition, the filter state, each tile's state, the picker values
 * and the API client. Every task (first load, a round of tiles, a single tile's retry, picker
 * values, an export) has its own AbortController, so a newer task cancels only what it replaces,
 * and disconnecting the element cancels everything.
 *
 * @example
 * ```ts
 * class Board extends LitElement {
 *   data = new TileDataController(this, { defaultApiBase: origin, chartsDrawn: async () => {} });
 *   render() { return html`${[...this.data.tiles].map(([id, s]) => html`<p>${id}: ${s.status}</p>`)}`; }
 * }
 * ```
 */
export class TileDataController implements ReactiveController {
  definition: DashboardDefinition | undefined;
  load: LoadState = { status: 'idle' };
  tiles = new Map<string, TileState>();
  filters: DashboardFilters = {};
  pickerOptions = new Map<string, Array<string | number>>();
  /** KPI results over the previous period of the same length, by chart id, for the change line. */
  comparisons = new Map<string, QueryResponse>();
  /** The signed-in user's role, from the session (decides whether "View rows" is offered). */
  role: EmbedSession['role'] | undefined;
  /** The open "View rows" panel, if any. */
  rows: RowsPanelState | undefined;
  /** Drill-down steps by chart id: each tile drills on its own. */
  drills = new Map<string, DrillStep[]>();
  /** Table tiles' sort, by chart id: view state that survives a reload of the tile's data. */
  tableSorts = new Map<string, TableSort>();

  readonly #host: TileDataHost;
  readonly #options: TileDataOptions;
  #client: EmbedClient | undefined;
  #loadController: AbortController | undefined;
  #tileRound: TileRound | undefined;
  #retries = new Map<string, AbortController>();
  #comparison: AbortController | undefined;
  #rowsRequest: AbortController | undefined;
  #round = 0;

  constructor(host: TileDataHost, options: TileDataOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The API client (token refresh and retry), for composing components. */
  get client(): EmbedClient | undefined {
    return this.#client;
  }

  /** True while a client exists; false after a disconnect tore it down. */
  get active(): boolean {
    return this.#client !== undefined;
  }

  hostDisconnected(): void {
    this.#abortAll();
    this.#client?.dispose();
    this.#client = undefined;
  }

  /** Hand the host's current credentials to the live client. */
  updateCredentials(): void {
    this.#client?.setToken(this.#host.token);
    this.#client?.setFetchToken(this.#host.fetchToken);
  }

  /** The filters a dashboard opens with (its default date range), which "Reset filters" returns to. */
  initialFilters(): DashboardFilters {
    const preset = this.definition?.filters.dateRange?.default;
    return preset ? { dateRange: preset } : {};
  }

  /** Load the dashboard from scratch: session, definition and the first round of tiles. */
  async reload(): Promise<void> {
    const host = this.#host;
    this.#abortAll();
    this.#client?.dispose();
    if (!host.dashboard) return;
    if (!host.token && !host.fetchToken) {
      this.#client = undefined;
      // Hosts often set `fetchToken` from their own script, which may run after this element
      // upgrades; wait for the page's scripts before reporting token_missing (the element reloads
      // as soon as credentials arrive).
      await afterPageScripts();
      if (host.token || host.fetchToken || !host.isConnected) return;
      this.#setLoad({ status: 'error', code: 'token_missing', message: 'Set the token attribute or a fetchToken callback.' });
      this.#emitError({ code: 'token_missing', message: 'Set the token attribute or a fetchToken callback.' });
      return;
    }
    const client = new EmbedClient({
      apiBase: host.apiBase || this.#options.defaultApiBase,
      token: host.token,
      fetchToken: host.fetchToken,
      onTokenExpired: (willRefresh) => this.#emit('tc-token-expired', { willRefresh }),
    });
    this.#client = client;
    const controller = new AbortController();
    this.#loadController = controller;
    this.#setLoad({ status: 'loading' });
    const started = performance.now();
    // One request for the whole first load: the session (which arms the token refresh timer) and
    // the definition arrive at the head of the tiles stream, and the server starts the warehouse
    // work at once, since it knows the dashboard's charts and default filters. One request means
    // one CORS preflight, and the session and definition are not stuck behind a busy server.
    let session: EmbedSession | undefined;
    let definition: DashboardDefinition | undefined;
    let leadArrived: () => void = () => undefined;
    const lead = new Promise<void>((resolve) => (leadArrived = resolve));
    const firstRound = this.#startRound(client, host.dashboard, { include: ['session', 'definition'] }, (line) => {
      if ('session' in line) {
        session = line.session;
        this.role = line.session.role;
        client.acceptSession(line.session);
      } else {
        definition = line.definition;
        // The definition leads the stream, so the chart code (only when a chart tile needs it)
        // downloads while the tiles are still being computed.
        if (definition.charts.some((c) => c.permitted && c.type !== 'kpi' && c.type !== 'table')) void loadChartJs().catch(() => undefined);
      }
      if (session && definition) leadArrived();
    });
    // Load the locale data the tiles will format with while the request is on its way.
    setTimeout(() => warmFormatters(host.locale), 0);
    try {
      const ended = await Promise.race([lead.then(() => undefined), firstRound.done]);
      if (controller.signal.aborted) return;
      if (ended !== undefined) throw ended.failure ?? new EmbedRequestError('internal_error', 'Perch sent no dashboard definition.', 200);
      if (!definition) return;
      this.definition = definition;
      this.filters = this.initialFilters();
      this.drills = new Map();
      this.pickerOptions = new Map();
      this.#setLoad({ status: 'ready' });
      // Tiles first: the pickers' value look-ups are warehouse scans too, and would compete with
      // the tiles for connections and cores; they start once every tile query has settled.
      const shown = definition;
      await this.#queryAll(started, () => void this.#loadPickerOptions(shown, controller.signal), firstRound);
    } catch (error) {
      firstRound.controller.abort();
      if (isAbortError(error) || controller.signal.aborted) return;
      const detail = toErrorDetail(error);
      this.#setLoad({ status: 'error', code: detail.code, message: detail.message, requestId: detail.requestId });
      this.#emitError(detail);
    }
  }

  /** Apply a new filter state and query every tile again. */
  setFilters(filters: DashboardFilters): void {
    this.filters = filters;
    this.#host.requestUpdate();
    void this.#queryAll();
  }

  /**
   * A click on a value in a tile: filter the other tiles by it, or, when that exact value is
   * already a cross-filter, remove it (the second click undoes the first). One value per member:
   * clicking another region replaces the region filter.
   */
  toggleCrossFilter(filter: CrossFilter): void {
    const current = this.filters.cross ?? [];
    const same = current.find((f) => f.member === filter.member && f.value === filter.value);
    const next = same ? current.filter((f) => f !== same) : [...current.filter((f) => f.member !== filter.member), filter];
    this.setFilters(withCross(this.filters, next));
  }

  /** Remove one cross-filter (its chip's button). */
  removeCrossFilter(filter: CrossFilter): void {
    this.setFilters(withCross(this.filters, (this.filters.cross ?? []).filter((f) => f !== filter)));
  }

  /** Drill one level down in a tile: the clicked value filters it, the next level groups it. */
  drillInto(chartId: string, step: DrillStep): void {
    this.drillTo(chartId, [...(this.drills.get(chartId) ?? []), step]);
  }

  /** Set a tile's drill path (a breadcrumb goes back by keeping its first steps) and reload that tile alone. */
  drillTo(chartId: string, steps: DrillStep[]): void {
    const drills = new Map(this.drills);
    if (steps.length > 0) drills.set(chartId, steps);
    else drills.delete(chartId);
    this.drills = drills;
    // The sort of the level the tile leaves names a column the next level may not have.
    if (this.tableSorts.delete(chartId)) this.tableSorts = new Map(this.tableSorts);
    void this.retryTile(chartId);
  }

  /** Open (or page, or sort) the "View rows" panel: one page from `POST /v1/rows`, under the tile's filters and drill. */
  async showRows(panel: Omit<RowsPanelState, 'status' | 'page' | 'message'>): Promise<void> {
    const client = this.#client;
    const definition = this.definition;
    if (!client || !definition) return;
    this.#rowsRequest?.abort();
    const controller = new AbortController();
    this.#rowsRequest = controller;
    this.rows = { ...panel, status: 'loading', page: this.rows?.chart === panel.chart ? this.rows.page : undefined };
    this.#host.requestUpdate();
    try {
      const page = await client.json<RowsPage>('/v1/rows', { method: 'POST', body: this.#rowsBody(panel), signal: controller.signal });
      if (controller.signal.aborted) return;
      this.rows = { ...panel, status: 'ready', page };
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      const detail = toErrorDetail(error, panel.chart);
      this.rows = { ...panel, status: 'error', message: detail.message, page: this.rows?.page };
      this.#emitError(detail);
    }
    this.#host.requestUpdate();
  }

  /** Close the rows panel (and cancel its request). */
  closeRows(): void {
    this.#rowsRequest?.abort();
    this.rows = undefined;
    this.#host.requestUpdate();
  }

  /** Every row of the open panel as CSV, through the same audited route. */
  async exportRows(): Promise<void> {
    const client = this.#client;
    const panel = this.rows;
    if (!client || !panel || !this.definition) return;
    try {
      const response = await client.request('/v1/rows', { method: 'POST', body: { ...this.#rowsBody(panel), format: 'csv' }, accept: 'text/csv' });
      downloadBlob(await response.blob(), `${this.definition.id}-${panel.chart}-rows.csv`);
    } catch (error) {
      if (!isAbortError(error)) this.#emitError(toErrorDetail(error, panel.chart));
    }
  }

  #rowsBody(panel: Pick<RowsPanelState, 'chart' | 'value' | 'offset' | 'order'>): Record<string, unknown> {
    const drill = this.drills.get(panel.chart);
    return {
      dashboard: this.definition?.id ?? this.#host.dashboard,
      chart: panel.chart,
      ...this.#filtersBody(),
      ...(drill ? { drill } : {}),
      value: panel.value,
      offset: panel.offset,
      ...(panel.order ? { order: panel.order } : {}),
    };
  }

  /** "Clear all": every cross-filter goes; the date range and pickers stay. */
  clearCrossFilters(): void {
    this.setFilters(withCross(this.filters, []));
  }

  /** Sort a table tile's rows (the rows already loaded: no query). */
  setTableSort(chartId: string, sort: TableSort): void {
    this.tableSorts = new Map(this.tableSorts).set(chartId, sort);
    this.#host.requestUpdate();
  }

  /** Back to the dashboard's own filters. */
  resetFilters(): void {
    this.setFilters(this.initialFilters());
  }

  /** "Try again" on one tile: re-run that tile alone, keeping its last good data meanwhile. */
  async retryTile(chartId: string): Promise<void> {
    const definition = this.definition;
    const client = this.#client;
    const current = this.tiles.get(chartId);
    if (!definition || !client || !current || current.status === 'forbidden') return;
    this.#retries.get(chartId)?.abort();
    const controller = new AbortController();
    this.#retries.set(chartId, controller);
    const round = this.#round;
    this.#setTile(chartId, { status: 'loading', previous: lastGood(current) });
    let answered = false;
    try {
      await client.jsonLines<TileLine>(
        `/v1/dashboards/${encodeURIComponent(definition.id)}/tiles`,
        { method: 'POST', body: { charts: [chartId], ...this.#filtersBody(), ...this.#drillBody([chartId]) }, signal: controller.signal },
        (line) => {
          if (line.chart !== chartId || round !== this.#round) return;
          answered = true;
          this.#applyLine(line);
        },
      );
      if (!answered && round === this.#round) throw new EmbedRequestError('internal_error', 'Perch sent no result for this tile.', 200);
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted || round !== this.#round) return;
      const detail = toErrorDetail(error, chartId);
      this.#setTile(chartId, { status: 'error', code: detail.code, message: detail.message, requestId: detail.requestId, previous: lastGood(this.tiles.get(chartId)) });
      this.#emitError(detail);
    } finally {
      if (this.#retries.get(chartId) === controller) this.#retries.delete(chartId);
    }
  }

  /** Download a chart's rows as CSV, with the current filters, through the governed export route. */
  async exportCsv(chart: ChartDefinition): Promise<void> {
    const definition = this.definition;
    const client = this.#client;
    if (!definition || !client) return;
    try {
      // fetch + Blob keeps the token in the Authorization header; a plain link would need it in the URL.
      const response = await client.request('/v1/export', { method: 'POST', body: this.queryBody(chart), accept: 'text/csv' });
      downloadBlob(await response.blob(), `${definition.id}-${chart.id}.csv`);
    } catch (error) {
      if (!isAbortError(error)) this.#emitError(toErrorDetail(error, chart.id));
    }
  }

  /** The dashboard+chart body of the query and export routes, with the current filters. */
  queryBody(chart: ChartDefinition): DashboardQueryBody {
    const drill = this.drills.get(chart.id);
    return { dashboard: this.definition?.id ?? this.#host.dashboard, chart: chart.id, ...this.#filtersBody(), ...(drill ? { drill } : {}) };
  }

  async #loadPickerOptions(definition: DashboardDefinition, signal: AbortSignal): Promise<void> {
    const client = this.#client;
    if (!client) return;
    await Promise.all(
      definition.filters.pickers.map(async (picker) => {
        const query = new URLSearchParams({ member: picker.member });
        try {
          const body = await client.json<{ values: Array<string | number> }>(`/v1/dashboards/${encodeURIComponent(definition.id)}/filter-values?${query.toString()}`, { signal });
          this.pickerOptions = new Map(this.pickerOptions).set(picker.member, body.values);
          this.#host.requestUpdate();
        } catch (error) {
          if (!isAbortError(error)) this.#emitError(toErrorDetail(error));
        }
      }),
    );
  }

  /**
   * Query every permitted tile for the current filters; emits `tc-ready` when this round settles.
   * `afterQueries` runs once the tile queries have settled, even when a newer round superseded
   * this one. `pending` is a round already under way.
   */
  async #queryAll(started = performance.now(), afterQueries?: () => void, pending?: TileRound): Promise<void> {
    const definition = this.definition;
    const client = this.#client;
    if (!definition || !client) return;
    const round = ++this.#round;
    for (const retry of this.#retries.values()) retry.abort();
    this.#retries.clear();
    const tiles = new Map<string, TileState>();
    for (const chart of definition.charts) {
      tiles.set(chart.id, chart.permitted ? { status: 'loading', previous: lastGood(this.tiles.get(chart.id)) } : { status: 'forbidden' });
    }
    this.tiles = tiles;
    this.#host.requestUpdate();
    const batch = pending ?? this.#startRound(client, definition.id, { ...this.#filtersBody(), ...this.#drillBody() });
    batch.attach((line) => {
      // Only tiles this dashboard shows as permitted take a result; anything else is ignored.
      if (round === this.#round && this.tiles.get(line.chart)?.status === 'loading') this.#applyLine(line);
    });
    const { failure } = await batch.done;
    if (round === this.#round && !batch.controller.signal.aborted) {
      // Tiles the stream did not answer (the request failed, or the connection dropped) say so,
      // each in its own box; tiles that did answer keep their results.
      const detail = failure === undefined ? { code: 'internal_error' as const, message: 'Perch sent no result for this tile.' } : toErrorDetail(failure);
      const unanswered = [...this.tiles].filter(([, state]) => state.status === 'loading').map(([id]) => id);
      for (const id of unanswered) this.#setTile(id, { status: 'error', code: detail.code, message: detail.message, requestId: detail.requestId, previous: lastGood(this.tiles.get(id)) });
      if (unanswered.length > 0) this.#emitError(failure === undefined ? { ...detail, chart: unanswered[0]! } : detail);
    }
    afterQueries?.();
    if (round !== this.#round) return; // superseded by a newer filter change
    void this.#loadComparisons(client, definition, round);
    await this.#options.chartsDrawn();
    if (round !== this.#round) return;
    this.#emit('tc-ready', { component: 'dashboard', dashboard: definition.id, durationMs: Math.round(performance.now() - started) });
  }

  #applyLine(line: TileLine): void {
    if (line.result) {
      this.#setTile(line.chart, { status: 'ready', result: line.result, unapplied: line.unapplied });
      return;
    }
    const { code, message, requestId } = line.error;
    this.#setTile(line.chart, { status: 'error', code, message, requestId, previous: lastGood(this.tiles.get(line.chart)) });
    this.#emitError({ code, message, ...(requestId ? { requestId } : {}), chart: line.chart });
  }

  /**
   * Send one round of tile queries as a single request; a newer round cancels the older one.
   * One request instead of one per tile means one CORS preflight and one connection.
   */
  #startRound(client: EmbedClient, dashboard: string, body: TileBatchBody, onLead?: (line: TileLeadLine) => void): TileRound {
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

  /** The drill steps of `charts` (every drilled tile by default) as the tiles route expects them. */
  #drillBody(charts?: readonly string[]): { drill?: Record<string, DrillStep[]> } {
    const entries = [...this.drills].filter(([id]) => !charts || charts.includes(id));
    return entries.length > 0 ? { drill: Object.fromEntries(entries) } : {};
  }

  /** The filters of the current state as the server expects them (an explicit null included). */
  #filtersBody(): { filters?: DashboardFilters } {
    const filters: DashboardFilters = {};
    // An explicit null ("All time") must reach the server, or it would apply the default range.
    if (this.filters.dateRange !== undefined) filters.dateRange = this.filters.dateRange;
    const values = Object.entries(this.filters.values ?? {}).filter(([, v]) => v.length > 0);
    if (values.length > 0) filters.values = Object.fromEntries(values);
    if (this.filters.cross && this.filters.cross.length > 0) filters.cross = this.filters.cross;
    return Object.keys(filters).length > 0 ? { filters } : {};
  }

  #setTile(id: string, state: TileState): void {
    this.tiles = new Map(this.tiles).set(id, state);
    this.#host.requestUpdate();
  }

  #setLoad(load: LoadState): void {
    this.load = load;
    this.#host.requestUpdate();
  }

  #abortAll(): void {
    this.#round++;
    this.#loadController?.abort();
    this.#tileRound?.controller.abort();
    this.#tileRound = undefined;
    for (const retry of this.#retries.values()) retry.abort();
    this.#retries.clear();
    this.#comparison?.abort();
    this.#rowsRequest?.abort();
  }

  /**
   * The KPI tiles once more over the previous period of the same length, through the same
   * governed tiles route (scope, RLS and audit as for any tile), once the round's tiles are in, so
   * it never delays them. A failure only leaves the change line out.
   */
  async #loadComparisons(client: EmbedClient, definition: DashboardDefinition, round: number): Promise<void> {
    this.#comparison?.abort();
    const previous = previousPeriod(this.filters.dateRange, new Date());
    const kpis = definition.charts.filter((c) => c.type === 'kpi' && this.tiles.get(c.id)?.status === 'ready').map((c) => c.id);
    if (!previous || kpis.length === 0 || !definition.filters.dateRange) {
      this.comparisons = new Map();
      this.#host.requestUpdate();
      return;
    }
    const controller = new AbortController();
    this.#comparison = controller;
    const found = new Map<string, QueryResponse>();
    const { filters } = this.#filtersBody();
    try {
      await client.jsonLines<TileLine>(
        `/v1/dashboards/${encodeURIComponent(definition.id)}/tiles`,
        { method: 'POST', body: { charts: kpis, filters: { ...filters, dateRange: previous } }, signal: controller.signal },
        (line) => {
          if (line.result) found.set(line.chart, line.result);
        },
      );
    } catch {
      // No comparison: the KPI shows its value alone.
    }
    if (controller.signal.aborted || round !== this.#round) return;
    this.comparisons = found;
    this.#host.requestUpdate();
  }

  #emit<K extends keyof PerchEventMap>(type: K, detail: PerchEventMap[K]['detail']): void {
    emitPerchEvent(this.#host, type, detail);
  }

  #emitError(detail: TcErrorDetail): void {
    this.#emit('tc-error', detail);
  }
}

/** `filters` with `cross` replaced (left out when empty, so the body stays what it was before any click). */
function withCross(filters: DashboardFilters, cross: CrossFilter[]): DashboardFilters {
  const { cross: _dropped, ...rest } = filters;
  return cross.length > 0 ? { ...rest, cross } : rest;
}

/**
 * The data a tile last showed, if any. An empty result is not kept: its "No data for …" sentence
 * names the filters it was run with, which would be wrong under the new ones.
 */
function lastGood(state: TileState | undefined): QueryResponse | undefined {
  if (!state) return undefined;
  if (state.status === 'ready') return isEmptyResult(state.result) ? undefined : state.result;
  if (state.status === 'loading' || state.status === 'error') return state.previous;
  return undefined;
}

/** A thrown error as the `tc-error` detail: a Perch code, never a stack or an exception text. */
export function toErrorDetail(error: unknown, chart?: string): TcErrorDetail {
  const base: TcErrorDetail =
    error instanceof EmbedRequestError
      ? { code: error.code, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}) }
      : { code: 'internal_error', message: 'Unexpected error while rendering the dashboard.' };
  return chart ? { ...base, chart } : base;
}
