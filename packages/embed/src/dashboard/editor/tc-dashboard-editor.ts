import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { DashboardChartDefinition, DashboardDefinition, DashboardLayoutCell, DashboardSaved } from '@perch/protocol';
import type { FetchToken } from '../../client/embed-client.js';
import { readPalette } from '../palette.js';
import { skeletonView } from '../status-views.js';
import { dashboardStyles } from '../styles.js';
import { EditorDataController } from './editor-data-controller.js';
import { PreviewController } from './preview-controller.js';
import { TileResultsController } from './tile-results-controller.js';
import { previewStateView } from './result-view.js';
import { cellForNewTile, moveBy, removeCell, resizeBy } from './layout-ops.js';
import { nextChartId, sameDefinition, slugId } from './draft.js';
import { editorGridView, type DragKind } from './editor-grid-view.js';
import { runnableQuery, tileBuilderView } from './tile-builder-view.js';
import { settingsView } from './settings-view.js';
import { editorDialogView, type EditorDialog as Dialog } from './editor-dialogs.js';
import { failureView } from './failure-view.js';
import { editorStyles } from './editor-styles.js';
import '../../charts/tc-chart.js';

/** How an editing session ended, for the `<tc-dashboard>` that opened the editor. */
export type EditorOutcome = { kind: 'saved'; saved: DashboardSaved } | { kind: 'deleted'; id: string } | { kind: 'cancelled' };


interface Builder {
  chart: DashboardChartDefinition;
  existing: boolean;
}

interface Drag {
  chart: string;
  kind: DragKind;
  startX: number;
  startY: number;
  start: readonly DashboardLayoutCell[];
  column: number;
  row: number;
}

/**
 * `<tc-dashboard-editor>`: the maker's editor of one dashboard, shown by `<tc-dashboard>` in edit
 * mode and loaded only then (a separate chunk, so viewers never download it). Not meant to be
 * placed on a page by itself: `<tc-dashboard>` hands it the credentials and listens for
 * `editor-done` (detail `EditorOutcome`), after which it shows the dashboard again.
 *
 * @example
 * ```ts
 * await import('./editor/tc-dashboard-editor.js');
 * html`<tc-dashboard-editor .dashboardId=${'sales'} .fetchToken=${getToken} .apiBase=${origin}
 *   @editor-done=${(e) => this.#onEditorDone(e.detail)}></tc-dashboard-editor>`;
 * ```
 *
 * @fires tc-error - a load or save failed; detail `{code, message, requestId?}`
 * @csspart toolbar, settings, pickers-edit, grid, tile, edit-tile, drag-handle, resize-handle, layout-menu,
 *   builder, preview, dialog, error, empty, skeleton (`<tc-dashboard>` re-exports the editor's own:
 *   toolbar to dialog)
 */
export class TcDashboardEditor extends LitElement {
  static override properties = {
    dashboardId: { attribute: false },
    token: { attribute: false },
    fetchToken: { attribute: false },
    apiBase: { attribute: false },
    theme: { type: String, reflect: true },
    locale: { attribute: false },
    _draft: { state: true },
    _builder: { state: true },
    _dialog: { state: true },
    _dragLayout: { state: true },
    _announcement: { state: true },
    _notice: { state: true },
  };

  static override styles = [...dashboardStyles, editorStyles];

  /** The dashboard being edited; '' starts a new one. */
  dashboardId = '';
  token: string | undefined;
  fetchToken: FetchToken | undefined;
  apiBase = '';
  theme: 'light' | 'dark' | 'auto' = 'light';
  locale: string | undefined;

  readonly data = new EditorDataController(this);
  readonly preview = new PreviewController(this, () => this.data.api);
  readonly tiles = new TileResultsController(this, () => this.data.api);

  private _draft: DashboardDefinition | undefined;
  private _builder: Builder | undefined;
  private _dialog: Dialog | undefined;
  /** The layout a drag in progress would give; committed on release. */
  private _dragLayout: DashboardLayoutCell[] | undefined;
  private _announcement = '';
  /** A sentence above the grid about the last save attempt that could not start (no tiles, no title). */
  private _notice = '';
  #baseline: DashboardDefinition | undefined;
  #drag: Drag | undefined;
  /** The control to give focus back to when the builder or a dialog closes. */
  #returnFocus: HTMLElement | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#open();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#endDrag();
  }

  protected override willUpdate(changed: PropertyValues): void {
    // Every tile on the grid shows its data; only new or changed queries run.
    if (changed.has('_draft') && this._draft) this.tiles.sync(this._draft.charts);
  }

  /** Whether the working copy differs from what was opened. */
  get dirty(): boolean {
    return this._draft !== undefined && this.#baseline !== undefined && !sameDefinition(this._draft, this.#baseline);
  }

  async #open(): Promise<void> {
    const draft = await this.data.open();
    if (!draft) return;
    this.#baseline = structuredClone(draft);
    this._draft = draft;
    this._dialog = undefined;
    this._notice = '';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('input[name="dashboard-title"]')?.focus();
  }

  #done(outcome: EditorOutcome): void {
    this.dispatchEvent(new CustomEvent<EditorOutcome>('editor-done', { detail: outcome }));
  }

  #announce(text: string): void {
    // A changed text is announced even when it repeats the last one (two moves to one place).
    this._announcement = this._announcement === text ? `${text} ` : text;
  }

  #setDraft(draft: DashboardDefinition): void {
    this._draft = draft;
    this._notice = '';
  }

  // Layout ---------------------------------------------------------------------------------

  #applyLayout(layout: DashboardLayoutCell[], chart: string, kind: DragKind): void {
    const draft = this._draft;
    if (!draft) return;
    this.#setDraft({ ...draft, layout });
    const cell = layout.find((c) => c.chart === chart);
    const title = draft.charts.find((c) => c.id === chart)?.title ?? chart;
    if (cell) this.#announce(kind === 'move' ? `${title} moved to column ${cell.x + 1}, row ${cell.y + 1}.` : `${title} resized to ${cell.w} columns by ${cell.h} rows.`);
  }

  #nudge(chart: string, kind: DragKind, dx: number, dy: number): void {
    const layout = this._draft?.layout ?? [];
    this.#applyLayout(kind === 'move' ? moveBy(layout, chart, dx, dy) : resizeBy(layout, chart, dx, dy), chart, kind);
  }

  #onTileKey(chart: string, event: KeyboardEvent): void {
    // Keys typed in the tile's own buttons and menu keep their usual meaning.
    if (event.target !== event.currentTarget) return;
    const steps: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const step = steps[event.key];
    if (step) {
      event.preventDefault();
      this.#nudge(chart, event.shiftKey ? 'resize' : 'move', step[0], step[1]);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      this.#editTile(chart);
    } else if (event.key === 'Delete') {
      event.preventDefault();
      this.#removeTile(chart);
    }
  }

  #onPointerDown(chart: string, kind: DragKind, event: PointerEvent): void {
    const grid = this.renderRoot.querySelector<HTMLElement>('.editor-grid');
    const draft = this._draft;
    if (!grid || !draft || event.button !== 0) return;
    event.preventDefault();
    const style = getComputedStyle(grid);
    const gap = parseFloat(style.columnGap) || 0;
    const rowHeight = parseFloat(style.gridAutoRows) || 80;
    this.#drag = {
      chart,
      kind,
      startX: event.clientX,
      startY: event.clientY,
      start: draft.layout,
      column: (grid.getBoundingClientRect().width + gap) / 12,
      row: rowHeight + (parseFloat(style.rowGap) || 0),
    };
    window.addEventListener('pointermove', this.#onPointerMove);
    window.addEventListener('pointerup', this.#onPointerUp);
    window.addEventListener('pointercancel', this.#onPointerCancel);
  }

  #onPointerMove = (event: PointerEvent): void => {
    const drag = this.#drag;
    if (!drag) return;
    const dx = Math.round((event.clientX - drag.startX) / drag.column);
    const dy = Math.round((event.clientY - drag.startY) / drag.row);
    this._dragLayout = drag.kind === 'move' ? moveBy(drag.start, drag.chart, dx, dy) : resizeBy(drag.start, drag.chart, dx, dy);
  };

  #onPointerUp = (event: PointerEvent): void => {
    const drag = this.#drag;
    this.#onPointerMove(event);
    const layout = this._dragLayout;
    this.#endDrag();
    if (drag && layout) this.#applyLayout(layout, drag.chart, drag.kind);
  };

  #onPointerCancel = (): void => this.#endDrag();

  #endDrag(): void {
    this.#drag = undefined;
    this._dragLayout = undefined;
    window.removeEventListener('pointermove', this.#onPointerMove);
    window.removeEventListener('pointerup', this.#onPointerUp);
    window.removeEventListener('pointercancel', this.#onPointerCancel);
  }

  // Tiles ----------------------------------------------------------------------------------

  #openBuilder(builder: Builder): void {
    this.#returnFocus = (this.renderRoot as ShadowRoot).activeElement instanceof HTMLElement ? ((this.renderRoot as ShadowRoot).activeElement as HTMLElement) : undefined;
    this._builder = builder;
    this.preview.clear();
    this.preview.request(runnableQuery(builder.chart));
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLSelectElement>('.builder select[name="dataset"]')?.focus());
  }

  #addTile(): void {
    const draft = this._draft;
    if (!draft) return;
    const dataset = this.data.catalog.datasets.length === 1 ? this.data.catalog.datasets[0]!.name : '';
    this.#openBuilder({ chart: { id: nextChartId(draft), type: 'bar', title: '', query: { dataset, measures: [], dimensions: [], filters: [] } }, existing: false });
  }

  #editTile(chart: string): void {
    const found = this._draft?.charts.find((c) => c.id === chart);
    if (found) this.#openBuilder({ chart: structuredClone(found), existing: true });
  }

  #removeTile(chart: string): void {
    const draft = this._draft;
    if (!draft) return;
    const title = draft.charts.find((c) => c.id === chart)?.title ?? chart;
    this.#setDraft({ ...draft, charts: draft.charts.filter((c) => c.id !== chart), layout: removeCell(draft.layout, chart) });
    this.#announce(`${title} removed.`);
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.edit-tile, button[name="add-tile"]')?.focus());
  }

  #changeBuilder(chart: DashboardChartDefinition): void {
    if (!this._builder) return;
    this._builder = { ...this._builder, chart };
    this.preview.request(runnableQuery(chart));
  }

  #applyBuilder(): void {
    const builder = this._builder;
    const draft = this._draft;
    if (!builder || !draft || !runnableQuery(builder.chart)) return;
    const chart: DashboardChartDefinition = { ...builder.chart, title: (builder.chart.title ?? '').trim(), query: runnableQuery(builder.chart)! };
    if (builder.existing) {
      this.#setDraft({ ...draft, charts: draft.charts.map((c) => (c.id === chart.id ? chart : c)) });
      this.#announce(`${chart.title} updated.`);
    } else {
      this.#setDraft({ ...draft, charts: [...draft.charts, chart], layout: [...draft.layout, cellForNewTile(draft.layout, chart.id, chart.type)] });
      this.#announce(`${chart.title} added.`);
    }
    this.#closeBuilder(chart.id);
  }

  #closeBuilder(focusChart?: string): void {
    this._builder = undefined;
    this.preview.clear();
    const back = this.#returnFocus;
    void this.updateComplete.then(() => {
      const tile = focusChart ? this.renderRoot.querySelector<HTMLElement>(`.edit-tile[data-chart="${CSS.escape(focusChart)}"]`) : null;
      (tile ?? (back?.isConnected ? back : this.renderRoot.querySelector<HTMLElement>('button[name="add-tile"]')))?.focus();
    });
  }

  // Saving ---------------------------------------------------------------------------------

  #readyToSave(draft: DashboardDefinition): boolean {
    if (!draft.title.trim()) this._notice = 'Give the dashboard a title before saving.';
    else if (draft.charts.length === 0) this._notice = 'Add at least one tile before saving.';
    else return true;
    return false;
  }

  async #save(): Promise<void> {
    const draft = this._draft;
    if (!draft || !this.#readyToSave(draft)) return;
    const opened = this.data.opened;
    // A model dashboard (or one this token cannot change) is saved as a copy of the tenant's own.
    if (opened && !opened.editable) {
      this.#openDialog({ kind: 'save-as', title: `${draft.title} (copy)` });
      return;
    }
    // A new dashboard's id follows its title as it is when first saved.
    const body = opened ? draft : { ...draft, title: draft.title.trim(), id: slugId(draft.title, this.data.takenIds) };
    const saved = await this.data.saveDraft(body);
    if (saved) this.#done({ kind: 'saved', saved });
    else if (this.data.save.status === 'conflict') this.#openDialog({ kind: 'conflict' });
  }

  async #saveAs(title: string): Promise<void> {
    const draft = this._draft;
    if (!draft || !title.trim()) return;
    if (!this.#readyToSave(draft)) {
      this._dialog = undefined;
      return;
    }
    this._dialog = undefined;
    const saved = await this.data.saveAsNew(draft, title.trim());
    if (saved) this.#done({ kind: 'saved', saved });
  }

  async #delete(): Promise<void> {
    this._dialog = undefined;
    const id = this.data.opened?.definition.id;
    if (id && (await this.data.remove())) this.#done({ kind: 'deleted', id });
  }

  #cancel(): void {
    if (this.dirty) this.#openDialog({ kind: 'discard' });
    else this.#done({ kind: 'cancelled' });
  }

  #openDialog(dialog: Dialog): void {
    const active = (this.renderRoot as ShadowRoot).activeElement;
    if (!this._dialog) this.#returnFocus = active instanceof HTMLElement ? active : undefined;
    this._dialog = dialog;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.dialog input, .dialog button.primary, .dialog button')?.focus());
  }

  #closeDialog(): void {
    this._dialog = undefined;
    this.data.dismissSaveError();
    const back = this.#returnFocus;
    void this.updateComplete.then(() => back?.isConnected && back.focus());
  }

  // Rendering ------------------------------------------------------------------------------

  protected override render(): TemplateResult {
    const load = this.data.load;
    if (load.status === 'error') {
      return html`<div class="editor" part="editor">
        ${failureView(load.failure, 'The editor could not open.')}
        <div class="toolbar-actions"><button type="button" @click=${() => void this.#open()}>Try again</button><button type="button" @click=${() => this.#done({ kind: 'cancelled' })}>Close</button></div>
      </div>`;
    }
    const draft = this._draft;
    if (load.status === 'loading' || !draft) {
      return html`<div class="editor" part="editor" aria-busy="true"><div class="editor-loading">${skeletonView()}<span class="visually-hidden">Opening the editor…</span></div></div>`;
    }
    const palette = readPalette(this);
    // While the builder or a dialog is open the rest is inert: aria-modal is then true for
    // keyboard and screen reader users too, and Tab cannot wander behind the panel.
    const modal = this._builder !== undefined || this._dialog !== undefined;
    return html`<div class="editor" part="editor">
      <div class="editor-main" ?inert=${modal}>
      ${this.#renderToolbar(draft)}
      ${settingsView({ draft, catalog: this.data.catalog, onChange: (next) => this.#setDraft(next) })}
      <div class="grid-bar">
        <button type="button" name="add-tile" class="primary" @click=${() => this.#addTile()}>Add tile</button>
        <p id="grid-help" class="hint">Drag a tile by its handle to move it, or its corner to resize it. With a tile focused: arrow keys move it, Shift + arrow keys resize it, Enter edits it.</p>
      </div>
      ${editorGridView({
        draft,
        layout: this._dragLayout ?? draft.layout,
        catalog: this.data.catalog,
        dragging: this.#drag?.chart,
        onKey: (chart, event) => this.#onTileKey(chart, event),
        onPointerDown: (chart, kind, event) => this.#onPointerDown(chart, kind, event),
        onEdit: (chart) => this.#editTile(chart),
        onRemove: (chart) => this.#removeTile(chart),
        onNudge: (chart, kind, dx, dy) => this.#nudge(chart, kind, dx, dy),
        body: (chart) =>
          previewStateView(
            this.tiles.results.get(chart.id) ?? { status: 'loading' },
            chart,
            this.data.catalog.datasets.find((d) => d.name === chart.query.dataset),
            palette,
            this.locale,
            '',
          ),
      })}
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this._announcement}</div>
      ${this._builder
        ? tileBuilderView({
            chart: this._builder.chart,
            existing: this._builder.existing,
            catalog: this.data.catalog,
            preview: this.preview.state,
            palette,
            locale: this.locale,
            onChange: (chart) => this.#changeBuilder(chart),
            onApply: () => this.#applyBuilder(),
            onClose: () => this.#closeBuilder(),
          })
        : nothing}
      ${this._dialog
        ? editorDialogView(this._dialog, draft.title, {
            keepEditing: () => this.#closeDialog(),
            discard: () => this.#done({ kind: 'cancelled' }),
            askReload: () => this.#openDialog({ kind: 'reload' }),
            reload: () => void this.#open(),
            remove: () => void this.#delete(),
            saveAs: (title) => void this.#saveAs(title),
            setTitle: (title) => (this._dialog = { kind: 'save-as', title }),
          })
        : nothing}
    </div>`;
  }

  #renderToolbar(draft: DashboardDefinition): TemplateResult {
    const opened = this.data.opened;
    const save = this.data.save;
    const saving = save.status === 'saving';
    const canDelete = opened?.source === 'saved' && opened.editable;
    const note = !opened
      ? 'New dashboard'
      : opened.editable
        ? `Editing ${opened.definition.title}`
        : opened.source === 'model'
          ? 'This dashboard is part of the semantic model: save your changes as a new dashboard.'
          : 'You cannot change this dashboard: save your changes as a new dashboard.';
    return html`<div class="toolbar" part="toolbar" role="toolbar" aria-label="Dashboard editor">
        <p class="toolbar-note">${note}${this.dirty ? html` <span class="unsaved">· Unsaved changes</span>` : nothing}</p>
        <div class="toolbar-actions">
          <button type="button" name="save" class="primary" ?disabled=${saving} @click=${() => void this.#save()}>${saving ? 'Saving…' : 'Save'}</button>
          ${opened ? html`<button type="button" name="save-as" ?disabled=${saving} @click=${() => this.#openDialog({ kind: 'save-as', title: `${draft.title} (copy)` })}>Save as new</button>` : nothing}
          <button type="button" name="cancel" ?disabled=${saving} @click=${() => this.#cancel()}>Cancel</button>
          ${canDelete ? html`<button type="button" name="delete" class="danger" ?disabled=${saving} @click=${() => this.#openDialog({ kind: 'delete' })}>Delete</button>` : nothing}
        </div>
      </div>
      ${save.status === 'error' ? failureView(save.failure, 'Your changes were not saved.') : nothing}
      ${this._notice ? html`<p class="notice" role="alert">${this._notice}</p>` : nothing}`;
  }

}

if (!customElements.get('tc-dashboard-editor')) customElements.define('tc-dashboard-editor', TcDashboardEditor);

declare global {
  interface HTMLElementTagNameMap {
    'tc-dashboard-editor': TcDashboardEditor;
  }
}
