import { html, type TemplateResult } from 'lit';
import { errorSentence } from '../../format/error-sentences.js';
import type { EditorFailure } from './editor-types.js';

/** The editor's own sentences for the errors only its writes meet; the rest read as on the dashboard. */
export function editorSentence(code: EditorFailure['code']): string {
  switch (code) {
    case 'edit_conflict':
      return 'Someone saved this dashboard after you opened it.';
    case 'precondition_required':
      return 'This dashboard could not be saved. Reload it and try again.';
    case 'too_many_tiles':
      return 'This dashboard has too many tiles. Remove some and save again.';
    case 'too_many_dashboards':
      return 'Your organisation has reached its number of dashboards. Delete one to save another.';
    case 'conflict':
      return 'A dashboard with this name already exists. Choose another title.';
    case 'invalid_request':
    case 'unknown_member':
    case 'unknown_dataset':
    case 'model_invalid':
      return 'Perch could not accept this dashboard. Check the tiles and try again.';
    case 'role_forbidden':
      return 'Your role cannot change dashboards.';
    default:
      return errorSentence(code);
  }
}

/** A failure in plain words, with the code and request id behind "Details" for support. */
export function failureView(failure: EditorFailure, lead?: string): TemplateResult {
  return html`<div class="error" part="error" role="alert" data-code=${failure.code}>
    <p class="sentence">${lead ? `${lead} ` : ''}${editorSentence(failure.code)}</p>
    <details>
      <summary>Details</summary>
      <dl>
        <dt>Code</dt>
        <dd><code>${failure.code}</code></dd>
        ${failure.requestId ? html`<dt>Request id</dt><dd><code>${failure.requestId}</code></dd>` : ''}
      </dl>
    </details>
  </div>`;
}
