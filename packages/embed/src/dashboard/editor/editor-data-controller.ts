import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DashboardDefinition, DashboardSaved } from '@perch/protocol';
import type { EditorFailure } from './editor-types.js';
import { EmbedClient, type FetchToken } from '../../client/embed-client.js';
import { EmbedRequestError, isAbortError } from '../../client/embed-error.js';
import { emitPerchEvent } from '../../events.js';
import { toErrorDetail } from '../tile-data-controller.js';
import { EditorClient, type Catalog, type OpenedDefinition } from './editor-client.js';
import { emptyDefinition, slugId } from './draft.js';

export type { EditorFailure } from './editor-types.js';

/** The element the controller serves: its credentials and the dashboard it edits ('' for a new one). */
export interface EditorDataHost extends ReactiveControllerHost, EventTarget {
  readonly dashboardId: string;
  readonly token: string | undefined;
  readonly fetchToken: FetchToken | undefined;
  readonly apiBase: string;
}


export type EditorLoad = { status: 'loading' } | { status: 'ready' } | { status: 'error'; failure: EditorFailure };

export type SaveState = { status: 'idle' | 'saving' } | { status: 'conflict' } | { status: 'error'; failure: EditorFailure };

function failureOf(error: unknown): EditorFailure {
  const detail = toErrorDetail(error);
  return { code: detail.code, ...(detail.requestId ? { requestId: detail.requestId } : {}) };
}

/**
 * Owns the editor's server work: opening a definition and the catalog, and the writes (save,
 * save as new, delete). Each task has its own AbortController; disconnecting the editor cancels
 * whatever is in flight, and a write's result is only applied when the write was not cancelled.
 *
 * @example
 * ```ts
 * class Editor extends LitElement {
 *   data = new EditorDataController(this);
 *   render() { return html`${this.data.load.status}`; }
 * }
 * ```
 */
export class EditorDataController implements ReactiveController {
  load: EditorLoad = { status: 'loading' };
  catalog: Catalog = { datasets: [] };
  /** What Perch holds (undefined for a dashboard not saved yet). */
  opened: OpenedDefinition | undefined;
  /** The ids this token already uses, so a new dashboard's id is unique. */
  takenIds = new Set<string>();
  save: SaveState = { status: 'idle' };

  readonly #host: EditorDataHost;
  #client: EmbedClient | undefined;
  #api: EditorClient | undefined;
  #loading: AbortController | undefined;
  #writing: AbortController | undefined;

  constructor(host: EditorDataHost) {
    this.#host = host;
    host.addController(this);
  }

  /** The API client, shared with the preview. */
  get api(): EditorClient | undefined {
    return this.#api;
  }

  hostConnected(): void {
    const host = this.#host;
    this.#client = new EmbedClient({ apiBase: host.apiBase, token: host.token, fetchToken: host.fetchToken });
    this.#api = new EditorClient(this.#client);
  }

  hostDisconnected(): void {
    this.#loading?.abort();
    this.#writing?.abort();
    this.#client?.dispose();
    this.#client = undefined;
    this.#api = undefined;
  }

  /**
   * Load the catalog, the dashboard list and (when editing a saved or model dashboard) its
   * definition. Resolves with the working copy to start from.
   */
  async open(): Promise<DashboardDefinition | undefined> {
    const api = this.#api;
    const client = this.#client;
    if (!api || !client) return undefined;
    this.#loading?.abort();
    const controller = new AbortController();
    this.#loading = controller;
    const { signal } = controller;
    this.load = { status: 'loading' };
    this.#host.requestUpdate();
    try {
      const id = this.#host.dashboardId;
      const [session, catalog, list, opened] = await Promise.all([
        // The session arms the client's token refresh, so a long editing session keeps its token.
        client.loadSession(signal),
        api.catalog(signal),
        api.list(signal),
        id ? api.definition(id, signal) : Promise.resolve(undefined),
      ]);
      if (signal.aborted) return undefined;
      // Perch refuses other roles' saves anyway; saying so now spares a viewer a form they cannot use.
      if (session.role !== 'maker' && session.role !== 'admin') throw new EmbedRequestError('role_forbidden', 'Only makers and admins edit dashboards.', 403);
      this.catalog = catalog;
      this.takenIds = new Set(list.dashboards.map((d) => d.id));
      this.opened = opened;
      this.load = { status: 'ready' };
      this.#host.requestUpdate();
      return opened ? structuredClone(opened.definition) : emptyDefinition('Untitled dashboard', this.takenIds);
    } catch (error) {
      if (isAbortError(error) || signal.aborted) return undefined;
      this.load = { status: 'error', failure: failureOf(error) };
      this.#emitError(error);
      this.#host.requestUpdate();
      return undefined;
    }
  }

  /**
   * Save the working copy: a replace (`If-Match` the opened version) of an editable saved
   * dashboard, else a create. Resolves with the saved id and version, or undefined when it failed
   * (`save` then says why; a 409 `edit_conflict` is `{status: 'conflict'}`).
   */
  async saveDraft(draft: DashboardDefinition): Promise<DashboardSaved | undefined> {
    const opened = this.opened;
    const replace = opened?.source === 'saved' && opened.editable && opened.version !== undefined && opened.definition.id === draft.id;
    return this.#write((api, signal) => (replace ? api.save(draft, opened.version!, signal) : api.create(draft, signal)));
  }

  /** Save a copy under a new title, with an id derived from it (unique among this token's dashboards). */
  saveAsNew(draft: DashboardDefinition, title: string): Promise<DashboardSaved | undefined> {
    const copy: DashboardDefinition = { ...structuredClone(draft), id: slugId(title, this.takenIds), title };
    return this.#write((api, signal) => api.create(copy, signal));
  }

  /** Delete the opened saved dashboard. Resolves true when Perch deleted it. */
  async remove(): Promise<boolean> {
    const opened = this.opened;
    if (!opened || opened.source !== 'saved') return false;
    const done = await this.#write(async (api, signal) => {
      await api.remove(opened.definition.id, opened.version, signal);
      return { id: opened.definition.id, version: opened.version ?? 0 };
    });
    return done !== undefined;
  }

  /** Forget a failed save's message (the maker chose "Keep editing"). */
  dismissSaveError(): void {
    this.save = { status: 'idle' };
    this.#host.requestUpdate();
  }

  async #write(run: (api: EditorClient, signal: AbortSignal) => Promise<DashboardSaved>): Promise<DashboardSaved | undefined> {
    const api = this.#api;
    if (!api || this.save.status === 'saving') return undefined;
    const controller = new AbortController();
    this.#writing = controller;
    this.save = { status: 'saving' };
    this.#host.requestUpdate();
    try {
      const saved = await run(api, controller.signal);
      if (controller.signal.aborted) return undefined;
      this.save = { status: 'idle' };
      this.takenIds = new Set([...this.takenIds, saved.id]);
      return saved;
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return undefined;
      // Another maker saved first: the editor offers to reload rather than overwrite their work.
      this.save = error instanceof EmbedRequestError && error.code === 'edit_conflict' ? { status: 'conflict' } : { status: 'error', failure: failureOf(error) };
      this.#emitError(error);
      return undefined;
    } finally {
      this.#host.requestUpdate();
    }
  }

  #emitError(error: unknown): void {
    emitPerchEvent(this.#host, 'tc-error', toErrorDetail(error));
  }
}
