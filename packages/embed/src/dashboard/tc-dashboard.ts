import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import type { FetchToken } from '../client/embed-client.js';
import type { EmbedClient } from '../client/embed-client.js';
import type { ChartDefinition, DashboardDefinition, LayoutItem, QueryResponse } from '../types.js';
import type { PerchEventMap } from '../events.js';
import { buildChartConfig, type ChartOption, type ChartPalette } from '../charts/chart-options.js';
import { dashboardStyles } from './styles.js';
import { isEmptyResult, kpiView, tableView } from './tile-views.js';
import { emptyView, errorView, skeletonView } from './status-views.js';
import { filtersView } from './filters-view.js';
import { describeFilters, filtersChanged } from './filter-summary.js';
import { TileDataController, type TileState } from './tile-data-controller.js';
import { tileActions } from './tile-actions.js';
import { crossFilterBar, crossFilterLabel, crossFilterOf, isActiveCrossFilter, memberTitle, unappliedNote } from './cross-filter-view.js';
import { rowsPanelView } from './rows-view.js';
import { breadcrumbView, drilledChart, nextDrillLevel, valueMenuView, type ValueMenu } from './drill-view.js';
import { downloadBlob } from './download.js';
import { readPalette } from './palette.js';
import type { TcChart } from '../charts/tc-chart.js';
import type { EditorOutcome } from './editor/tc-dashboard-editor.js';
import { emitPerchEvent } from '../events.js';
import { afterPageScripts } from '../client/page-scripts.js';
import '../charts/tc-chart.js';

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
 * @fires tc-ready - every permitted tile has settled; detail `{component: 'dashboard', dashboard, durationMs}`
 * @fires tc-error - detail `{code, message, requestId?, chart?}`
 * @fires tc-token-expired - Perch answered 401 `token_expired`; detail `{willRefresh}`
 * @fires tc-dashboard-saved - a maker saved the dashboard (or a new one, or a copy); detail `{id, version}`
 * @fires tc-dashboard-deleted - a maker deleted the dashboard; detail `{id}`
 * @csspart header, edit-button, editor, blank, title, description, filters, filter, grid, tile, tile-title, tile-body,
 *   skeleton, empty, error, not-permitted, kpi, kpi-change, table, export-button, table-button, png-button, expand-button,
 *   cross-filters, chip, cross-note, breadcrumb, value-menu, rows-panel
 */
export class TcDashboard extends LitElement {
  static override properties = {
    dashboard: { type: String },
    isNew: { type: Boolean, attribute: 'new' },
    token: { type: String },
    apiBase: { type: String, attribute: 'api-base' },
    theme: { type: String, reflect: true },
    locale: { type: String },
    fetchToken: { attribute: false },
    _expanded: { state: true },
    _pickerSearch: { state: true },
    _asTable: { state: true },
    _valueMenu: { state: true },
    _editing: { state: true },
    _blank: { state: true },
  };

  static override styles = dashboardStyles;

  /** Dashboard id from the semantic model, or of a dashboard makers of this tenant saved. */
  dashboard = '';
  /** The `new` attribute: with no `dashboard`, open the editor on a new dashboard (makers and admins). */
  isNew = false;
  /** The embed token (opaque). Prefer `fetchToken` so the component can refresh it. */
  token: string | undefined;
  /** Perch base URL; defaults to the origin that served this script. */
  apiBase: string | undefined;
  /** `light` (default), `dark`, or `auto` to follow the OS's `prefers-color-scheme`. */
  theme: 'light' | 'dark' | 'auto' = 'light';
  /** BCP 47 locale for number and date formats; defaults to the browser's. */
  locale: string | undefined;
  /** Host callback returning a fresh embed token. */
  fetchToken: FetchToken | undefined;

  /** The tile data: definition, filters, per-tile state, and the requests behind them. */
  readonly data = new TileDataController(this, {
    defaultApiBase: SCRIPT_ORIGIN,
    chartsDrawn: () => this.#chartsDrawn(),
  });

  /** The chart id of the tile shown full screen, if any. */
  private _expanded: string | undefined;
  /** The text typed in each picker's search box (view state). */
  private _pickerSearch = new Map<string, string>();
  /** Chart tiles shown as their data table (the charts' text alternative, on demand). */
  private _asTable = new Set<string>();
  /** The menu a click on a value of a drillable tile opened (filter or drill), if any. */
  private _valueMenu: ValueMenu | undefined;
  /**
   * Edit mode: the dashboard shown is being edited (`existing`), or a new one is being made
   * (`new`). The editor is a separate chunk, imported the first time a maker needs it.
   */
  private _editing: 'existing' | 'new' | undefined;
  /** What the element says when it shows no dashboard (after a delete, or a cancelled new one). */
  private _blank: string | undefined;
  #pendingLoad = true;
  #colorScheme: MediaQueryList | undefined;
  /**
   * The last chart configuration per tile result. The dashboard re-renders whenever any tile
   * settles; handing a chart an identical but new configuration would make Chart.js redo its
   * layout and animation, so a configuration is rebuilt only when its inputs change.
   */
  #chartConfigs = new WeakMap<QueryResponse, { key: string; config: ChartOption }>();
  #onColorScheme = (): void => {
    if (this.theme === 'auto') this.requestUpdate();
  };

  /** The shared API client (token refresh and retry), for composing components. */
  get client(): EmbedClient | undefined {
    return this.data.client;
  }

  /**
   * Open the editor on this dashboard (makers and admins; Perch refuses other roles' saves).
   *
   * @example
   * document.querySelector('tc-dashboard').edit();
   */
  async edit(): Promise<void> {
    await this.#openEditor(this.dashboard ? 'existing' : 'new');
  }

  /**
   * Open the editor on a new, empty dashboard; after its first save the element shows it.
   * A host wires the list's `tc-dashboard-create` event to this.
   *
   * @example
   * list.addEventListener('tc-dashboard-create', () => dashboard.startNew());
   */
  async startNew(): Promise<void> {
    await this.#openEditor('new');
  }

  async #openEditor(mode: 'existing' | 'new'): Promise<void> {
    // The editor's code is loaded on demand: a viewer's page never downloads it. A host may set
    // `fetchToken` from a script that runs after this element upgrades (`<tc-dashboard new>`).
    await Promise.all([import('./editor/tc-dashboard-editor.js'), afterPageScripts()]);
    this._blank = undefined;
    this._valueMenu = undefined;
    this._expanded = undefined;
    this._editing = mode;
  }

  #onEditorDone(outcome: EditorOutcome): void {
    const wasNew = this._editing === 'new';
    this._editing = undefined;
    if (outcome.kind === 'saved') {
      const { id, version } = outcome.saved;
      const same = id === this.dashboard;
      this.dashboard = id;
      // The same id does not retrigger the load; the saved definition must replace the old one.
      if (same) void this.data.reload();
      emitPerchEvent(this, 'tc-dashboard-saved', { id, version });
    } else if (outcome.kind === 'deleted') {
      this.dashboard = '';
      this.data.definition = undefined;
      this._blank = 'This dashboard was deleted.';
      emitPerchEvent(this, 'tc-dashboard-deleted', { id: outcome.id });
    } else if (wasNew && !this.dashboard) {
      this._blank = 'No dashboard is open.';
    }
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button.edit')?.focus());
  }

  /** Makers and admins may edit; viewers and explorers never see the control. */
  #canEdit(): boolean {
    return this.data.role === 'maker' || this.data.role === 'admin';
  }

  #renderEditor(): TemplateResult {
    return html`<tc-dashboard-editor
      part="editor"
      exportparts="toolbar, settings, pickers-edit, edit-tile, drag-handle, resize-handle, layout-menu, builder, preview, dialog"
      .dashboardId=${this._editing === 'existing' ? this.dashboard : ''}
      .token=${this.token}
      .fetchToken=${this.fetchToken}
      .apiBase=${this.apiBase || SCRIPT_ORIGIN}
      .locale=${this.locale}
      theme=${this.theme}
      @editor-done=${(e: CustomEvent<EditorOutcome>) => this.#onEditorDone(e.detail)}
    ></tc-dashboard-editor>`;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#colorScheme?.removeEventListener('change', this.#onColorScheme);
    this.removeEventListener('keydown', this.#onKeydown);
  }

  /** Escape leaves the full-screen tile and gives focus back to the button that opened it. */
  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this._valueMenu) this._valueMenu = undefined;
    else if (event.key === 'Escape' && this.data.rows) this.data.closeRows();
    else if (event.key === 'Escape' && this._expanded) void this.#expand(undefined);
  };

  async #expand(chartId: string | undefined): Promise<void> {
    const previous = this._expanded;
    this._expanded = chartId;
    await this.updateComplete;
    const focusTarget = chartId ?? previous;
    this.renderRoot.querySelector<HTMLButtonElement>(`section[data-chart="${CSS.escape(focusTarget ?? '')}"] button.expand`)?.focus();
  }

  async #exportPng(definition: DashboardDefinition, chart: ChartDefinition): Promise<void> {
    const element = this.renderRoot.querySelector<TcChart>(`section[data-chart="${CSS.escape(chart.id)}"] tc-chart`);
    const blob = await element?.toPng(this.#palette().surface ?? '#ffffff');
    if (blob) downloadBlob(blob, `${definition.id}-${chart.id}.png`);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Chart colours are read from CSS once per render; with theme="auto" the OS scheme decides
    // them, so a scheme switch must re-render to repaint the canvases.
    this.#colorScheme ??= typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : undefined;
    this.#colorScheme?.addEventListener('change', this.#onColorScheme);
    this.addEventListener('keydown', this.#onKeydown);
    // Reconnected after a move in the DOM: reload what the controller tore down.
    if (this.hasUpdated && !this.data.active) {
      this.#pendingLoad = true;
      this.requestUpdate();
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('token') || changed.has('fetchToken')) this.data.updateCredentials();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('isNew') && this.isNew && !this.dashboard && !this._editing) void this.startNew();
    const identityChanged = changed.has('dashboard') || changed.has('apiBase');
    const status = this.data.load.status;
    const credentialsArrived = (changed.has('token') || changed.has('fetchToken')) && status !== 'ready' && status !== 'loading';
    if (this.#pendingLoad || identityChanged || credentialsArrived) {
      this.#pendingLoad = false;
      void this.data.reload();
    }
  }

  async #chartsDrawn(): Promise<void> {
    await this.updateComplete;
    const charts = Array.from(this.renderRoot.querySelectorAll('tc-chart'));
    await Promise.all(
      charts.map(async (c) => {
        await c.updateComplete;
        await c.rendered;
      }),
    );
  }

  #palette(): ChartPalette {
    return readPalette(this);
  }

  protected override render(): TemplateResult {
    if (this._editing) return this.#renderEditor();
    if (this._blank && !this.dashboard) return html`<p class="blank" part="blank" role="status">${this._blank}</p>`;
    const { load, definition } = this.data;
    if (load.status === 'error') {
      return html`<div class="grid" part="grid">
        <section class="tile" part="tile" style="--_x:1;--_w:12;--_y:1;--_h:2">
          <div class="tile-body" part="tile-body">${errorView({ code: load.code, requestId: load.requestId, onRetry: () => void this.data.reload() })}</div>
        </section>
      </div>`;
    }
    if (!definition) {
      // The first-load placeholder is one tile-sized box in the grid, so it never covers the host page.
      return html`<div class="grid" part="grid" aria-busy="true">
        <section class="tile" part="tile" data-status="loading" style="--_x:1;--_w:12;--_y:1;--_h:2">
          <div class="tile-body" part="tile-body">${skeletonView()}</div>
        </section>
      </div>`;
    }
    const byId = new Map(definition.charts.map((c) => [c.id, c] as const));
    const palette = this.#palette();
    return html`
      <header part="header">
        <h2 part="title">${definition.title}</h2>
        ${definition.description ? html`<p class="description" part="description">${definition.description}</p>` : nothing}
        ${this.#canEdit() ? html`<button type="button" class="edit" part="edit-button" aria-label=${`Edit ${definition.title}`} @click=${() => void this.edit()}>Edit</button>` : nothing}
      </header>
      ${filtersView({
        definition,
        filters: this.data.filters,
        pickerOptions: this.data.pickerOptions,
        pickerSearch: this._pickerSearch,
        onPickerSearch: (member, text) => (this._pickerSearch = new Map(this._pickerSearch).set(member, text)),
        onChange: (filters) => this.data.setFilters(filters),
      })}
      ${crossFilterBar({
        definition,
        filters: this.data.filters.cross ?? [],
        locale: this.locale,
        onRemove: (filter) => this.data.removeCrossFilter(filter),
        onClear: () => this.data.clearCrossFilters(),
      })}
      <div class="grid" part="grid" style=${styleMap({ '--_columns': String(clampInt(definition.layout.columns, 1, 24, 12)) })}>
        ${definition.layout.items.map((item) => {
          const chart = byId.get(item.chart);
          return chart ? this.#renderTile(definition, chart, item, palette) : nothing;
        })}
      </div>
      ${this.#renderValueMenu(definition)}
      ${this.#renderRows()}
    `;
  }

  #renderTile(definition: DashboardDefinition, chart: ChartDefinition, item: LayoutItem, palette: ChartPalette): TemplateResult {
    const state: TileState = this.data.tiles.get(chart.id) ?? { status: 'loading' };
    const place = styleMap({
      '--_x': String(clampInt(item.x, 0, 23, 0) + 1),
      '--_y': String(clampInt(item.y, 0, 999, 0) + 1),
      '--_w': String(clampInt(item.w, 1, 24, 6)),
      '--_h': String(clampInt(item.h, 1, 24, 3)),
    });
    const canExport = definition.canExport && chart.permitted && state.status === 'ready';
    const expanded = this._expanded === chart.id;
    return html`<section
      class="tile"
      part="tile"
      role="region"
      tabindex="0"
      aria-label=${chart.title}
      aria-busy=${state.status === 'loading' ? 'true' : 'false'}
      data-chart=${chart.id}
      data-status=${state.status}
      data-type=${chart.type}
      ?data-expanded=${expanded}
      aria-modal=${expanded ? 'true' : nothing}
      style=${place}
    >
      <div class="tile-head">
        <div class="tile-heading">
          <h3 class="tile-title" part="tile-title">${chart.title}</h3>
          ${breadcrumbView(chart, this.data.drills.get(chart.id), this.locale, (depth) => this.data.drillTo(chart.id, (this.data.drills.get(chart.id) ?? []).slice(0, depth)))}
        </div>
        ${tileActions({
          chart,
          expanded,
          canExport,
          canPng: chart.permitted && state.status === 'ready' && !isEmptyResult(state.result) && chart.type !== 'kpi' && chart.type !== 'table',
          asTable: this._asTable.has(chart.id),
          onTable: () => {
            const next = new Set(this._asTable);
            if (!next.delete(chart.id)) next.add(chart.id);
            this._asTable = next;
          },
          onCsv: () => void this.data.exportCsv(chart),
          onPng: () => void this.#exportPng(definition, chart),
          onExpand: () => void this.#expand(expanded ? undefined : chart.id),
        })}
      </div>
      <div class="tile-body" part="tile-body">${this.#renderTileBody(definition, chart, state, palette)}</div>
    </section>`;
  }

  #renderTileBody(definition: DashboardDefinition, chart: ChartDefinition, state: TileState, palette: ChartPalette): TemplateResult {
    switch (state.status) {
      case 'loading':
        // A reload (filter change, token refresh) keeps the last good data on screen, dimmed.
        return state.previous ? html`<div class="updating">${this.#renderResult(definition, chart, state.previous, palette)}</div>` : skeletonView();
      case 'forbidden':
        return html`<p class="not-permitted" part="not-permitted">You do not have permission to view this chart.</p>`;
      case 'error': {
        const notice = errorView({ code: state.code, requestId: state.requestId, onRetry: () => void this.data.retryTile(chart.id), compact: state.previous !== undefined });
        return state.previous ? html`${notice}<div class="stale">${this.#renderResult(definition, chart, state.previous, palette)}</div>` : notice;
      }
      case 'ready':
        return html`${unappliedNote(definition, state.unapplied)}${this.#renderResult(definition, chart, state.result, palette)}`;
    }
  }

  #renderResult(definition: DashboardDefinition, shown: ChartDefinition, result: QueryResponse, palette: ChartPalette): TemplateResult {
    // A drilled tile is drawn as its drill level: its labels, formats and clicks follow that level.
    const chart = drilledChart(shown, this.data.drills.get(shown.id));
    if (isEmptyResult(result)) {
      const filters = this.data.filters;
      const initial = this.data.initialFilters();
      return emptyView(describeFilters(definition, filters), filtersChanged(filters, initial) ? () => this.data.resetFilters() : undefined);
    }
    if (chart.type === 'kpi') return kpiView(chart, result, this.locale, this.data.comparisons.get(chart.id));
    if (chart.type === 'table' || this._asTable.has(chart.id)) {
      return tableView(chart, result, this.locale, { sort: this.data.tableSorts.get(chart.id), onSort: (sort) => this.data.setTableSort(chart.id, sort) }, {
        isActive: (row) => isActiveCrossFilter(this.data.filters.cross, crossFilterOf(chart, result, row)),
        onRow: (row, at) => this.#onValue(chart, result, row, at),
      });
    }
    return html`<tc-chart .option=${this.#chartConfig(chart, result, palette)} label=${chart.title}></tc-chart>`;
  }

  /**
   * A click on a value (`chart` is the tile as drawn, at its drill level). Where the tile can
   * drill further, a menu offers "Filter dashboard" and "Drill down"; elsewhere the click
   * filters the other tiles at once (and a second click on that value removes the filter).
   */
  #onValue(chart: ChartDefinition, result: QueryResponse, row: QueryResponse['rows'][number] | undefined, at: { x: number; y: number }): void {
    const filter = crossFilterOf(chart, result, row);
    if (!filter) return;
    const level = nextDrillLevel(chart, this.data.drills.get(chart.id));
    // "View rows" is for explorers and above; Perch refuses viewers anyway (403), so this only
    // keeps a button that could never work out of their menu.
    const rows = this.data.role !== undefined && this.data.role !== 'viewer';
    if ((!level && !rows) || isActiveCrossFilter(this.data.filters.cross, filter)) {
      this._valueMenu = undefined;
      this.data.toggleCrossFilter(filter);
      return;
    }
    this._valueMenu = { chart: chart.id, filter, level, rows, x: at.x, y: at.y };
    // The menu takes focus, so the keyboard goes on from it (Escape gives it back to the tile).
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.value-menu button')?.focus());
  }

  #renderRows(): TemplateResult | typeof nothing {
    const panel = this.data.rows;
    if (!panel) return nothing;
    return rowsPanelView(panel, this.locale, {
      onPage: (offset) => void this.data.showRows({ ...panel, offset }),
      onSort: (order) => void this.data.showRows({ ...panel, order, offset: 0 }),
      onCsv: () => void this.data.exportRows(),
      onClose: () => this.data.closeRows(),
    });
  }

  #renderValueMenu(definition: DashboardDefinition): TemplateResult | typeof nothing {
    const menu = this._valueMenu;
    if (!menu) return nothing;
    const close = () => {
      this._valueMenu = undefined;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`section[data-chart="${CSS.escape(menu.chart)}"]`)?.focus());
    };
    const label = `${memberTitle(definition, menu.filter.member)}: ${crossFilterLabel(menu.filter, this.locale)}`;
    return html`<div class="value-menu-backdrop" @click=${close}></div>
      ${valueMenuView(menu, label, {
        filter: () => {
          this._valueMenu = undefined;
          this.data.toggleCrossFilter(menu.filter);
        },
        drill: () => {
          this._valueMenu = undefined;
          const { member, value, granularity } = menu.filter;
          this.data.drillInto(menu.chart, { member, value, ...(granularity ? { granularity } : {}) });
        },
        rows: () => {
          this._valueMenu = undefined;
          const { member, value, granularity } = menu.filter;
          void this.data.showRows({ chart: menu.chart, label, value: { member, value, ...(granularity ? { granularity } : {}) }, offset: 0 });
          void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('.rows-panel .rows-close')?.focus());
        },
        close,
      })}`;
  }

  #chartConfig(chart: ChartDefinition, result: QueryResponse, palette: ChartPalette): ChartOption {
    const key = JSON.stringify([chart.type, chart.format, chart.members, this.locale ?? '', palette]);
    const cached = this.#chartConfigs.get(result);
    if (cached?.key === key) return cached.config;
    const built = buildChartConfig(chart, result, palette, this.locale);
    // A click on a bar, slice or point filters the other tiles by its value (the keyboard path is
    // the same action on the chart's data table, "Table").
    const config: ChartOption = {
      ...built,
      options: {
        ...built.options,
        onHover: (event, elements) => {
          const target = event.native?.target;
          if (target instanceof HTMLElement) target.style.cursor = elements.length > 0 ? 'pointer' : '';
        },
        onClick: (event, elements) => {
          const index = elements[0]?.index;
          const native = event.native;
          const at = native instanceof MouseEvent ? { x: native.clientX, y: native.clientY } : { x: 0, y: 0 };
          if (index !== undefined) this.#onValue(chart, result, result.rows[index], at);
        },
      },
    };
    this.#chartConfigs.set(result, { key, config });
    return config;
  }
}

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.trunc(value))) : fallback;
}

if (!customElements.get('tc-dashboard')) customElements.define('tc-dashboard', TcDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'tc-dashboard': TcDashboard;
  }
  interface HTMLElementEventMap extends PerchEventMap {}
}
