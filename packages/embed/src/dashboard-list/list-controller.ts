import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ErrorCode } from '@perch/protocol/errors';
import { EmbedClient, type FetchToken } from '../client/embed-client.js';
import { EmbedRequestError, isAbortError } from '../client/embed-error.js';
import { afterPageScripts } from '../client/page-scripts.js';
import { emitPerchEvent, type TcErrorDetail } from '../events.js';
import { toDashboardList, type DashboardList } from './list-response.js';

export type ListLoad =
  | { status: 'idle' | 'loading' }
  | { status: 'ready'; list: DashboardList }
  | { status: 'error'; code: ErrorCode; message: string; requestId?: string | undefined };

/** The element the controller serves: its public properties are the controller's inputs. */
export interface ListHost extends ReactiveControllerHost, EventTarget {
  readonly token: string | undefined;
  readonly fetchToken: FetchToken | undefined;
  readonly apiBase: string | undefined;
  readonly isConnected: boolean;
}

const NO_CREDENTIALS = 'Set the token attribute or a fetchToken callback.';

/**
 * Loads `GET /v1/dashboards` for `<tc-dashboard-list>`. Each load owns an AbortController: a
 * newer load (a `refresh()`, new credentials) cancels the one in flight, so an older answer can
 * never overwrite a newer one, and disconnecting the element cancels it.
 *
 * @example
 * ```ts
 * class Sidebar extends LitElement {
 *   list = new DashboardListController(this, origin);
 *   render() { return this.list.load.status === 'ready' ? html`${this.list.load.list.dashboards.length}` : html`…`; }
 * }
 * ```
 */
export class DashboardListController implements ReactiveController {
  load: ListLoad = { status: 'idle' };
  readonly #host: ListHost;
  readonly #defaultApiBase: string;
  #client: EmbedClient | undefined;
  #request: AbortController | undefined;

  constructor(host: ListHost, defaultApiBase: string) {
    this.#host = host;
    this.#defaultApiBase = defaultApiBase;
    host.addController(this);
  }

  /** The API client (token refresh and retry). */
  get client(): EmbedClient | undefined {
    return this.#client;
  }

  /** True while a client exists; false after a disconnect tore it down. */
  get active(): boolean {
    return this.#client !== undefined;
  }

  hostDisconnected(): void {
    this.#request?.abort();
    this.#request = undefined;
    this.#client?.dispose();
    this.#client = undefined;
  }

  /** Hand the host's current credentials to the live client. */
  updateCredentials(): void {
    this.#client?.setToken(this.#host.token);
    this.#client?.setFetchToken(this.#host.fetchToken);
  }

  /**
   * Load the list. With `keepShown`, the entries on screen stay while the new list loads (a
   * refresh after a save), instead of flashing the skeleton.
   */
  async reload(options: { keepShown?: boolean } = {}): Promise<void> {
    const host = this.#host;
    this.#request?.abort();
    const controller = new AbortController();
    this.#request = controller;
    if (!host.token && !host.fetchToken) {
      // Hosts often set `fetchToken` from a script that runs after this element upgrades; only
      // report token_missing once the page's own scripts had their chance.
      await afterPageScripts();
      if (controller.signal.aborted || host.token || host.fetchToken || !host.isConnected) return;
      this.#fail({ code: 'token_missing', message: NO_CREDENTIALS });
      return;
    }
    const apiBase = host.apiBase || this.#defaultApiBase;
    if (!this.#client || this.#client.apiBase !== apiBase.replace(/\/+$/, '')) {
      this.#client?.dispose();
      this.#client = new EmbedClient({
        apiBase,
        token: host.token,
        fetchToken: host.fetchToken,
        onTokenExpired: (willRefresh) => emitPerchEvent(host, 'tc-token-expired', { willRefresh }),
      });
    }
    const client = this.#client;
    if (!(options.keepShown && this.load.status === 'ready')) this.#set({ status: 'loading' });
    const started = performance.now();
    try {
      const body = await client.json<unknown>('/v1/dashboards', { signal: controller.signal });
      if (controller.signal.aborted) return;
      const list = toDashboardList(body);
      this.#set({ status: 'ready', list });
      await host.updateComplete;
      if (controller.signal.aborted) return;
      emitPerchEvent(host, 'tc-ready', { component: 'dashboard-list', count: list.dashboards.length, durationMs: Math.round(performance.now() - started) });
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      this.#fail(
        error instanceof EmbedRequestError
          ? { code: error.code, message: error.message, ...(error.requestId ? { requestId: error.requestId } : {}) }
          : { code: 'internal_error', message: 'Unexpected error while loading the dashboards.' },
      );
    }
  }

  #fail(detail: TcErrorDetail): void {
    this.#set({ status: 'error', code: detail.code, message: detail.message, requestId: detail.requestId });
    emitPerchEvent(this.#host, 'tc-error', detail);
  }

  #set(load: ListLoad): void {
    this.load = load;
    this.#host.requestUpdate();
  }
}
