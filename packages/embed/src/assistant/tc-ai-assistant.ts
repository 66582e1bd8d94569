import { LitElement, css, html, type TemplateResult } from 'lit';

/**
 * `<tc-ai-assistant>`: the element is tiny and always present; its panel is a separate chunk
 * fetched with `import()` on first connect, so dashboards never pay for the assistant's code.
 */
export class TcAiAssistant extends LitElement {
  static override properties = {
    token: { type: String },
    apiBase: { type: String, attribute: 'api-base' },
    fetchToken: { attribute: false },
    _loaded: { state: true },
  };

  static override styles = css`
    :host { display: block; font-family: var(--tc-font, system-ui, sans-serif); color: var(--tc-fg, inherit); }
  `;

  token: string | undefined;
  apiBase: string | undefined;
  fetchToken: (() => Promise<string>) | undefined;
  private _loaded = false;

  override connectedCallback(): void {
    super.connectedCallback();
    void import('./assistant-panel.js').then(() => {
      this._loaded = true;
    });
  }

  protected override render(): TemplateResult {
    return this._loaded ? html`<tc-ai-assistant-panel part="panel"></tc-ai-assistant-panel>` : html`<p part="loading" aria-busy="true">Loading assistant…</p>`;
  }
}

if (!customElements.get('tc-ai-assistant')) customElements.define('tc-ai-assistant', TcAiAssistant);

declare global {
  interface HTMLElementTagNameMap {
    'tc-ai-assistant': TcAiAssistant;
  }
}
