import { LitElement, html, type TemplateResult } from 'lit';

/**
 * The assistant panel, loaded lazily by `<tc-ai-assistant>`. A placeholder until the assistant
 * API (`POST /v1/assistant/messages`) is wired in; it will reuse `EmbedClient` from `../client`.
 */
export class TcAiAssistantPanel extends LitElement {
  protected override render(): TemplateResult {
    return html`<p role="status">The Perch assistant is not available yet.</p>`;
  }
}

if (!customElements.get('tc-ai-assistant-panel')) customElements.define('tc-ai-assistant-panel', TcAiAssistantPanel);
