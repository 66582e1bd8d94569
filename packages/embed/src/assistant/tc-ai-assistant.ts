import { LitElement, css, html, type PropertyValues, type TemplateResult } from 'lit';
import { EmbedClient, type FetchToken } from '../client/embed-client.js';
import type { TcAiAssistantPanel } from './assistant-panel.js';
import type { AssistantResult } from './assistant-types.js';

/** Origin of the script that defined this element: Perch serves it, so its API lives there too. */
const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return '';
  }
})();

/**
 * `<tc-ai-assistant>`: questions in plain words, answered from the data this user may see. The
 * element is tiny and always present; its panel is a separate chunk fetched with `import()` on
 * first connect, so dashboards never pay for the assistant's code.
 *
 * Same contract as `<tc-dashboard>`: `token` or (better) `fetchToken`, `api-base`, `theme`,
 * `locale`, `heading` (the panel's title), `--tc-*` custom properties (`--tc-assistant-height` bounds the panel), and the `tc-ready`, `tc-error`, `tc-token-expired` events.
 *
 * @example
 * ```html
 * <tc-ai-assistant></tc-ai-assistant>
 * <script>
 *   document.querySelector('tc-ai-assistant').fetchToken = () => fetch('/api/perch-token', { method: 'POST' }).then((r) => r.json()).then((b) => b.token);
 * </script>
 * ```
 * @fires tc-ready - the panel is loaded and shows suggestions; detail `{component: 'assistant', durationMs}`
 * @fires tc-answer - an answer arrived; detail `{question, result}`
 * @fires tc-error - detail `{code, message, requestId?}`
 * @fires tc-token-expired - Perch answered 401 `token_expired`; detail `{willRefresh}`
 */
export class TcAiAssistant extends LitElement {
  static override properties = {
    token: { type: String },
    apiBase: { type: String, attribute: 'api-base' },
    theme: { type: String, reflect: true },
    locale: { type: String },
    heading: { type: String },
    fetchToken: { attribute: false },
    _loaded: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: var(--tc-font, system-ui, sans-serif); color: var(--tc-fg, inherit); }
    :host([theme='dark']) { --tc-bg: #14171c; --tc-fg: #e7eaee; --tc-border: #2c323a; --tc-muted: #9aa5b1; }
  `;

  token: string | undefined;
  apiBase: string | undefined;
  theme: 'light' | 'dark' | undefined;
  locale: string | undefined;
  /** The panel's title (default "Ask about your data"). */
  heading: string | undefined;
  fetchToken: FetchToken | undefined;
  private _loaded = false;
  #client: EmbedClient | undefined;
  #started = performance.now();
  #initialised = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void import('./assistant-panel.js').then(() => {
      this._loaded = true;
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#client?.dispose();
    this.#client = undefined;
    this.#initialised = false;
  }

  /** Ask a question programmatically (the host's own "ask" buttons). */
  async ask(question: string): Promise<AssistantResult | undefined> {
    await this.updateComplete;
    return this.#panel()?.ask(question);
  }

  /** Forget the conversation, as the panel's "New conversation" button does. */
  async newConversation(): Promise<void> {
    await this.updateComplete;
    this.#panel()?.newConversation();
  }

  #panel(): TcAiAssistantPanel | null {
    return this.renderRoot.querySelector('tc-ai-assistant-panel');
  }

  #ensureClient(): EmbedClient | undefined {
    if (!this.token && !this.fetchToken) return undefined;
    this.#client ??= new EmbedClient({
      apiBase: this.apiBase || SCRIPT_ORIGIN,
      token: this.token,
      fetchToken: this.fetchToken,
      onTokenExpired: (willRefresh) => this.dispatchEvent(new CustomEvent('tc-token-expired', { detail: { willRefresh }, bubbles: true, composed: true })),
    });
    return this.#client;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.#client && changed.has('token')) this.#client.setToken(this.token);
    if (this.#client && changed.has('fetchToken')) this.#client.setFetchToken(this.fetchToken);
  }

  protected override updated(): void {
    if (!this._loaded || this.#initialised) return;
    const client = this.#ensureClient();
    const panel = this.#panel();
    if (!client || !panel) return;
    this.#initialised = true;
    panel.client = client;
    void panel.loadSuggestions().then(() => {
      this.dispatchEvent(new CustomEvent('tc-ready', { detail: { component: 'assistant', durationMs: Math.round(performance.now() - this.#started) }, bubbles: true, composed: true }));
    });
  }

  protected override render(): TemplateResult {
    return this._loaded
      ? html`<tc-ai-assistant-panel part="panel" exportparts="header, title, new-conversation, messages, turn, question, answer, chart, table, query, actions, suggestions, form, input, send, error, applied" .locale=${this.locale} .heading=${this.heading ?? 'Ask about your data'}></tc-ai-assistant-panel>`
      : html`<p part="loading" aria-busy="true">Loading assistant…</p>`;
  }
}

if (!customElements.get('tc-ai-assistant')) customElements.define('tc-ai-assistant', TcAiAssistant);

declare global {
  interface HTMLElementTagNameMap {
    'tc-ai-assistant': TcAiAssistant;
  }
}
