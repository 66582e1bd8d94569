import { EmbedRequestError, errorFromResponse, isAbortError } from './embed-error.js';
import { readJsonLines } from './ndjson-reader.js';
import type { EmbedSession } from '../types.js';

/** Refresh this long before the token's `expiresAt`. */
export const REFRESH_LEAD_MS = 30_000;

/**
 * The host's token callback. `context.current` is the token the component holds (undefined on its
 * first load), which lets a shared provider (`createTokenProvider`) tell an expiring token from a
 * fresh one; a plain `() => Promise<string>` is a valid FetchToken too.
 */
export type FetchToken = (context?: { current: string | undefined }) => Promise<string>;

export interface EmbedClientOptions {
  /** Base URL of the Perch server, e.g. `https://perch.example.com`. */
  apiBase: string;
  /** The current embed token. */
  token?: string | undefined;
  /** Host callback that returns a fresh embed token (called before expiry and after a 401 `token_expired`). */
  fetchToken?: FetchToken | undefined;
  /** Called when Perch answered `token_expired`. */
  onTokenExpired?: ((willRefresh: boolean) => void) | undefined;
  /** Injected fetch; defaults to the global one. */
  fetch?: typeof fetch | undefined;
  /** Milliseconds before `expiresAt` at which the token is refreshed. Default 30 s. */
  refreshLeadMs?: number | undefined;
}

export interface EmbedRequestInit {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON-serialisable body (POST and PUT). */
  body?: unknown;
  /** Extra request headers, e.g. `If-Match` on a dashboard save. */
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
  accept?: string;
}

/**
 * The token-carrying HTTP client shared by every Perch web component.
 *
 * The token is opaque (encrypted), so the client never decodes it: it learns the expiry from
 * `GET /v1/embed/session` and refreshes `refreshLeadMs` before it. A 401 `token_expired`
 * triggers one `fetchToken` call and one retry of the failed request.
 *
 * @example
 * ```ts
 * const client = new EmbedClient({ apiBase: 'https://perch.example.com', fetchToken: () => getToken() });
 * const session = await client.loadSession();
 * const result = await client.json('/v1/query', { method: 'POST', body: { dashboard: 'sales', chart: 'revenue' } });
 * ```
 */
export class EmbedClient {
  #apiBase: string;
  #token: string | undefined;
  #fetchToken: FetchToken | undefined;
  #onTokenExpired: ((willRefresh: boolean) => void) | undefined;
  #fetch: typeof fetch;
  #refreshLeadMs: number;
  #refreshing: Promise<string> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshAt = Number.POSITIVE_INFINITY;
  #disposed = false;
  #lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(options: EmbedClientOptions) {
    this.#apiBase = options.apiBase.replace(/\/+$/, '');
    this.#token = options.token || undefined;
    this.#fetchToken = options.fetchToken;
    this.#onTokenExpired = options.onTokenExpired;
    // Bind so a host-provided or global fetch is never called with the client as `this`.
    this.#fetch = (options.fetch ?? globalThis.fetch).bind(globalThis);
    this.#refreshLeadMs = options.refreshLeadMs ?? REFRESH_LEAD_MS;
  }

  get apiBase(): string {
    return this.#apiBase;
  }

  /** True when the client can authenticate at all (a token or a way to get one). */
  get hasCredentials(): boolean {
    return Boolean(this.#token || this.#fetchToken);
  }

  setToken(token: string | undefined): void {
    this.#token = token || undefined;
  }

  setFetchToken(fetchToken: FetchToken | undefined): void {
    this.#fetchToken = fetchToken;
  }

  /** `GET /v1/embed/session`; also schedules the proactive refresh from its `expiresAt`. */
  async loadSession(signal?: AbortSignal): Promise<EmbedSession> {
    const session = await this.json<EmbedSession>('/v1/embed/session', { signal });
    this.acceptSession(session);
    return session;
  }

  /** Take a session that arrived another way (the head of a tiles stream): schedules the refresh. */
  acceptSession(session: EmbedSession): void {
    this.#scheduleRefresh(session.expiresAt);
  }

  /** Perform a request and parse its JSON body, throwing `EmbedRequestError` on failure. */
  async json<T>(path: string, init: EmbedRequestInit = {}): Promise<T> {
    const response = await this.request(path, init);
    return (await response.json()) as T;
  }

  /**
   * Perform a request whose 2xx body is NDJSON and hand each line to `onLine` as it arrives.
   * Resolves when the body ends; a refused request throws `EmbedRequestError` before any line,
   * a connection lost mid-body throws `network_error`.
   */
  async jsonLines<T>(path: string, init: EmbedRequestInit, onLine: (line: T) => void): Promise<void> {
    const response = await this.request(path, { ...init, accept: 'application/x-ndjson' });
    if (!response.body) throw new EmbedRequestError('internal_error', 'Perch sent no body.', response.status);
    try {
      for await (const line of readJsonLines<T>(response.body)) onLine(line);
    } catch (error) {
      if (isAbortError(error) || init.signal?.aborted) throw error;
      if (error instanceof SyntaxError) throw new EmbedRequestError('internal_error', 'Perch sent an unreadable response.', response.status);
      throw new EmbedRequestError('network_error', 'The connection to Perch was lost.', 0);
    }
  }

  /**
   * Perform an authenticated request. Resolves only with a 2xx response; otherwise throws an
   * `EmbedRequestError` (or the AbortError when the signal fired).
   */
  async request(path: string, init: EmbedRequestInit = {}): Promise<Response> {
    const token = await this.#currentToken();
    const first = await this.#send(path, init, token);
    if (first.ok) return first;
    const error = await errorFromResponse(first);
    if (error.code !== 'token_expired') throw error;
    const willRefresh = this.#fetchToken !== undefined;
    this.#onTokenExpired?.(willRefresh);
    if (!willRefresh) throw error;
    // Another request may already have refreshed; only ask the host if the token is unchanged.
    const fresh = this.#token !== token && this.#token ? this.#token : await this.refresh();
    const retry = await this.#send(path, init, fresh);
    if (retry.ok) return retry;
    throw await errorFromResponse(retry);
  }

  /** Ask the host for a new token now. Concurrent callers share one `fetchToken` call. */
  refresh(): Promise<string> {
    const fetchToken = this.#fetchToken;
    if (!fetchToken) return Promise.reject(new EmbedRequestError('token_missing', 'No token and no fetchToken callback.', 0));
    this.#refreshing ??= (async () => {
      try {
        let token: unknown;
        try {
          token = await fetchToken({ current: this.#token });
        } catch {
          // The host's callback failed (its own session ended, its server is down). That is not a
          // Perch fault, so it gets its own code rather than internal_error; the host's exception
          // text is not copied, since it may carry details meant for the host alone.
          throw new EmbedRequestError('token_fetch_failed', 'The fetchToken callback failed.', 0);
        }
        if (typeof token !== 'string' || token === '') {
          throw new EmbedRequestError('token_missing', 'fetchToken returned no token.', 0);
        }
        this.#token = token;
        this.#refreshAt = Number.POSITIVE_INFINITY;
        this.#lastRefresh = Date.now();
        return token;
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  /** Stop the refresh timer; the client must not be used afterwards. */
  dispose(): void {
    this.#disposed = true;
    clearTimeout(this.#refreshTimer);
  }

  async #currentToken(): Promise<string> {
    if (this.#refreshing) return this.#refreshing;
    const due = Date.now() >= this.#refreshAt;
    if (this.#token && !(due && this.#fetchToken)) return this.#token;
    if (this.#fetchToken) return this.refresh();
    throw new EmbedRequestError('token_missing', 'Set the token attribute or a fetchToken callback.', 0);
  }

  async #send(path: string, init: EmbedRequestInit, token: string): Promise<Response> {
    const headers: Record<string, string> = { ...init.headers, authorization: `Bearer ${token}`, accept: init.accept ?? 'application/json' };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    try {
      // credentials: 'omit' — Perch authenticates by header only; cookies are never sent.
      return await this.#fetch(this.#apiBase + path, {
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
        signal: init.signal ?? null,
        credentials: 'omit',
        mode: 'cors',
      });
    } catch (error) {
      if (isAbortError(error)) throw error;
      throw new EmbedRequestError('network_error', 'Perch could not be reached.', 0);
    }
  }

  #scheduleRefresh(expiresAt: string): void {
    const expiry = Date.parse(expiresAt);
    if (!Number.isFinite(expiry)) return;
    this.#refreshAt = expiry - this.#refreshLeadMs;
    clearTimeout(this.#refreshTimer);
    if (!this.#fetchToken || this.#disposed) return;
    // Refresh proactively so the token never lapses while the page sits idle; the new session
    // call re-arms the timer from the new expiry.
    // At most one proactive refresh per 5 s, so a very short TTL cannot cause a refresh loop.
    const earliest = Math.max(this.#refreshAt, this.#lastRefresh + 5_000);
    const delay = Math.max(0, Math.min(earliest - Date.now(), 2_147_000_000));
    this.#refreshTimer = setTimeout(() => {
      if (this.#disposed) return;
      this.refresh()
        .then(() => this.loadSession())
        .catch(() => {
          // The next request retries the refresh and reports the error through its caller.
        });
    }, delay);
  }
}
