import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { SemanticQueryInput } from '@perch/protocol';
import { isAbortError } from '../../client/embed-error.js';
import type { QueryResponse } from '../../types.js';
import { toErrorDetail } from '../tile-data-controller.js';
import type { EditorClient } from './editor-client.js';
import type { EditorFailure } from './editor-types.js';

/** Rows a preview asks for: enough to draw any chart type, small enough to stay quick. */
const PREVIEW_LIMIT = 200;
/** Quiet time after the last change before the preview query runs. */
const DEBOUNCE_MS = 350;

export type PreviewState =
  | { status: 'idle' }
  | { status: 'loading'; previous?: QueryResponse | undefined }
  | { status: 'ready'; result: QueryResponse }
  | { status: 'error'; failure: EditorFailure };

/**
 * The tile builder's live preview: runs the draft chart's query through the governed query route,
 * debounced, cancelling the previous request whenever the draft changes again.
 *
 * @example
 * ```ts
 * preview = new PreviewController(this, () => this.data.api);
 * // on every builder change:
 * this.preview.request({ dataset: 'orders', measures: ['revenue'] });
 * ```
 */
export class PreviewController implements ReactiveController {
  state: PreviewState = { status: 'idle' };
  readonly #host: ReactiveControllerHost;
  readonly #api: () => EditorClient | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #request: AbortController | undefined;
  #key = '';

  constructor(host: ReactiveControllerHost, api: () => EditorClient | undefined) {
    this.#host = host;
    this.#api = api;
    host.addController(this);
  }

  hostDisconnected(): void {
    this.clear();
  }

  /** Preview `query` (or nothing, when the draft cannot run yet). Unchanged queries are not re-run. */
  request(query: SemanticQueryInput | undefined): void {
    const key = query ? JSON.stringify(query) : '';
    if (key === this.#key) return;
    this.#key = key;
    clearTimeout(this.#timer);
    this.#request?.abort();
    if (!query) {
      this.state = { status: 'idle' };
      this.#host.requestUpdate();
      return;
    }
    const previous = this.state.status === 'ready' ? this.state.result : this.state.status === 'loading' ? this.state.previous : undefined;
    this.state = { status: 'loading', previous };
    this.#host.requestUpdate();
    this.#timer = setTimeout(() => void this.#run(query), DEBOUNCE_MS);
  }

  /** Stop any pending preview (the builder closed). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#request?.abort();
    this.#key = '';
    this.state = { status: 'idle' };
  }

  async #run(query: SemanticQueryInput): Promise<void> {
    const api = this.#api();
    if (!api) return;
    const controller = new AbortController();
    this.#request = controller;
    try {
      const result = await api.preview({ ...query, limit: Math.min(query.limit ?? PREVIEW_LIMIT, PREVIEW_LIMIT) }, controller.signal);
      if (controller.signal.aborted) return;
      this.state = { status: 'ready', result };
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      const detail = toErrorDetail(error);
      this.state = { status: 'error', failure: { code: detail.code, ...(detail.requestId ? { requestId: detail.requestId } : {}) } };
    }
    this.#host.requestUpdate();
  }
}
