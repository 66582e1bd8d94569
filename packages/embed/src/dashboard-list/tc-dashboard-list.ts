import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { FetchToken } from '../client/embed-client.js';
import type { EmbedClient } from '../client/embed-client.js';
import { emitPerchEvent } from '../events.js';
import { DashboardListController } from './list-controller.js';
import { filterEntries, type ListEntry } from './list-response.js';
import { listStyles } from './list-styles.js';
import { listEmpty, listEntry, listError, listSkeleton } from './list-views.js';

/** Origin of the script that defined this element: Perch serves it, so its API lives there too. */
const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return '';
  }
})();

/** Above this many dashboards the list offers a search box. */
export const SEARCH_THRESHOLD = 8;

/**
 * Events `<tc-dashboard>` sends after a maker saved or deleted a dashboard. They bubble to
 * `document`, so the list hears them wherever the two elements sit, and reloads.
 */
const CHANGE_EVENTS = ['tc-dashboard-saved', 'tc-dashboard-deleted'] as const;

/**
 * `<tc-dashboard-list>`: the dashboards a user may open, for a host's sidebar. The model's
 * dashboards in the token's scope ("Shared with you") and the ones makers of the user's tenant
 * saved ("Your team's dashboards"), each marked when this user may edit it.
 *
 * @example
 * ```html
 * <tc-dashboard-list selected="sales"></tc-dashboard-list>
 * <tc-dashboard dashboard="sales"></tc-dashboard>
 * <script type="module">
 *   const list = document.querySelector('tc-dashboard-list');
 *   const board = document.querySelector('tc-dashboard');
 *   list.fetchToken = board.fetchToken = Perch.createTokenProvider(getToken);
 *   list.addEventListener('tc-dashboard-select', (e) => (board.dashboard = e.detail.id));
 * </script>
 * ```
 *
 * @fires tc-ready - the list is shown; detail `{component: 'dashboard-list', count, durationMs}`
 * @fires tc-error - the list could not be loaded; detail `{code, message, requestId?}`
 * @fires tc-token-expired - Perch answered 401 `token_expired`; detail `{willRefresh}`
 * @fires tc-dashboard-select - an entry was picked; detail `{id, source, editable}`
 * @fires tc-dashboard-create - "New dashboard" was pressed; detail `{}`
 * @csspart heading, create-button, search, group, group-title, item, item-selected, item-title,
 *   item-description, badge, updated, skeleton, empty, no-match, error, retry-button
 */
export class TcDashboardList extends LitElement {
  static override properties = {
    token: { type: String },
    apiBase: { type: String, attribute: 'api-base' },
    theme: { type: String, reflect: true },
    locale: { type: String },
    selected: { type: String, reflect: true },
    heading: { type: String },
    fetchToken: { attribute: false },
    _query: { state: true },
    _focusId: { state: true },
  };

  static override styles = listStyles;

  /** The embed token (opaque). Prefer `fetchToken` so the component can refresh it. */
  token: string | undefined;
  /** Perch base URL; defaults to the origin that served this script. */
  apiBase: string | undefined;
  /** `light` (default), `dark`, or `auto` to follow the OS's `prefers-color-scheme`. */
  theme: 'light' | 'dark' | 'auto' = 'light';
  /** BCP 47 locale for the "updated" times; defaults to the browser's. */
  locale: string | undefined;
  /** Id of the dashboard open next to the list: highlighted and marked `aria-current`. */
  selected: string | undefined;
  /** The list's heading. */
  heading = 'Dashboards';
  /** Host callback returning a fresh embed token. */
  fetchToken: FetchToken | undefined;

  readonly data = new DashboardListController(this, SCRIPT_ORIGIN);

  /** The search box's text (view state). */
  private _query = '';
  /** The entry the arrow keys last moved to: the one entry in the Tab order. */
  private _focusId: string | undefined;
  #pendingLoad = true;
  #onChange = (): void => void this.refresh();

  /** The shared API client (token refresh and retry), for composing components. */
  get client(): EmbedClient | undefined {
    return this.data.client;
  }

  /** The entries as loaded (empty until the list is ready). */
  get dashboards(): readonly ListEntry[] {
    return this.data.load.status === 'ready' ? this.data.load.list.dashboards : [];
  }

  /**
   * Load the list again, keeping the current entries on screen meanwhile. The list already does
   * this itself when `<tc-dashboard>` reports a save or a delete; call it after other changes.
   *
   * @example
   * document.querySelector('tc-dashboard-list').refresh();
   */
  refresh(): Promise<void> {
    return this.data.reload({ keepShown: true });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    for (const type of CHANGE_EVENTS) document.addEventListener(type, this.#onChange);
    // Reconnected after a move in the DOM: reload what the controller tore down.
    if (this.hasUpdated && !this.data.active) {
      this.#pendingLoad = true;
      this.requestUpdate();
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const type of CHANGE_EVENTS) document.removeEventListener(type, this.#onChange);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('token') || changed.has('fetchToken')) this.data.updateCredentials();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const status = this.data.load.status;
    const credentialsArrived = (changed.has('token') || changed.has('fetchToken')) && status !== 'ready' && status !== 'loading';
    if (this.#pendingLoad || changed.has('apiBase') || credentialsArrived) {
      this.#pendingLoad = false;
      void this.data.reload();
    }
  }

  protected override render(): TemplateResult {
    const load = this.data.load;
    const canCreate = load.status === 'ready' && load.list.canCreate;
    const entries = load.status === 'ready' ? load.list.dashboards : [];
    return html`<nav aria-label=${this.heading} aria-busy=${load.status === 'ready' || load.status === 'error' ? 'false' : 'true'}>
      <div class="head">
        <h2 part="heading">${this.heading}</h2>
        ${canCreate && entries.length > 0 ? html`<button type="button" class="create" part="create-button" @click=${this.#create}>New dashboard</button>` : nothing}
      </div>
      ${this.#renderBody()}
    </nav>`;
  }

  #renderBody(): TemplateResult {
    const load = this.data.load;
    if (load.status === 'error') return listError(load.code, load.requestId, () => void this.data.reload());
    if (load.status !== 'ready') return listSkeleton();
    const all = load.list.dashboards;
    if (all.length === 0) return listEmpty(load.list.canCreate ? this.#create : undefined);
    const shown = filterEntries(all, this._query, this.locale);
    const focusable = this.#tabStop(shown);
    const now = Date.now();
    const group = (source: ListEntry['source'], title: string) => {
      const entries = shown.filter((e) => e.source === source);
      if (entries.length === 0) return nothing;
      const headingId = `group-${source}`;
      return html`<section class="group" part="group" data-source=${source} aria-labelledby=${headingId}>
        <h3 id=${headingId} part="group-title">${title}</h3>
        <ul>
          ${entries.map((entry) =>
            listEntry(entry, {
              selected: entry.id === this.selected,
              tabIndex: entry.id === focusable ? 0 : -1,
              now,
              locale: this.locale,
              onSelect: () => this.#select(entry),
            }),
          )}
        </ul>
      </section>`;
    };
    return html`${all.length > SEARCH_THRESHOLD
        ? html`<label class="search" part="search"
            ><span class="visually-hidden">Search dashboards</span
            ><input type="search" placeholder="Search" .value=${this._query} @input=${(e: Event) => (this._query = (e.target as HTMLInputElement).value)}
          /></label>`
        : nothing}
      ${shown.length === 0 ? html`<p class="no-match" part="no-match" role="status">No dashboard matches “${this._query.trim()}”.</p>` : nothing}
      <div class="groups" @keydown=${this.#onKeydown}>${group('model', 'Shared with you')} ${group('saved', "Your team's dashboards")}</div>`;
  }

  /** The entry Tab reaches: the last one the arrows moved to, else the open one, else the first. */
  #tabStop(shown: readonly ListEntry[]): string | undefined {
    const ids = shown.map((e) => e.id);
    if (this._focusId !== undefined && ids.includes(this._focusId)) return this._focusId;
    if (this.selected !== undefined && ids.includes(this.selected)) return this.selected;
    // Model entries are drawn first; the first drawn entry is the first of the model group, if any.
    return shown.find((e) => e.source === 'model')?.id ?? ids[0];
  }

  /** Up/Down move between entries (across both groups), Home/End to the ends; Enter and Space are the buttons' own. */
  #onKeydown = (event: KeyboardEvent): void => {
    const buttons = Array.from(this.renderRoot.querySelectorAll<HTMLButtonElement>('button.item'));
    const at = buttons.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const next = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = buttons[Math.max(0, Math.min(buttons.length - 1, next))];
    if (!target) return;
    this._focusId = target.dataset.id;
    target.focus();
  };

  #select(entry: ListEntry): void {
    this.selected = entry.id;
    this._focusId = entry.id;
    emitPerchEvent(this, 'tc-dashboard-select', { id: entry.id, source: entry.source, editable: entry.editable });
  }

  #create = (): void => {
    emitPerchEvent(this, 'tc-dashboard-create', {});
  };
}

if (!customElements.get('tc-dashboard-list')) customElements.define('tc-dashboard-list', TcDashboardList);

declare global {
  interface HTMLElementTagNameMap {
    'tc-dashboard-list': TcDashboardList;
  }
}
