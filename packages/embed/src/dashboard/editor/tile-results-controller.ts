import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { DashboardChartDefinition } from '@perch/protocol';
import { isAbortError } from '../../client/embed-error.js';
import { toErrorDetail } from '../tile-data-controller.js';
import type { EditorClient } from './editor-client.js';
import type { PreviewState } from './preview-controller.js';

/** Rows a tile of the editing grid asks for: as in the builder's preview. */
const TILE_LIMIT = 200;

/**
 * The data of every tile on the editing grid, so the maker arranges tiles that look as they will
 * on the dashboard. Each chart's query runs once (again only when the maker changes it), with its
 * own AbortController; a removed tile's request is cancelled.
 *
 * @example
 * ```ts
 * tiles = new TileResultsController(this, () => this.data.api);
 * // whenever the draft changes:
 * this.tiles.sync(draft.charts);
 * ```
 */
export class TileResultsController implements ReactiveController {
  readonly results = new Map<string, PreviewState>();
  readonly #host: ReactiveControllerHost;
  readonly #api: () => EditorClient | undefined;
  readonly #keys = new Map<string, string>();
  readonly #requests = new Map<string, AbortController>();

  constructor(host: ReactiveControllerHost, api: () => EditorClient | undefined) {
    this.#host = host;
    this.#api = api;
    host.addController(this);
  }

  hostDisconnected(): void {
    for (const request of this.#requests.values()) request.abort();
    this.#requests.clear();
    this.#keys.clear();
    this.results.clear();
  }

  /** Start the queries of new or changed charts; forget removed ones. */
  sync(charts: readonly DashboardChartDefinition[]): void {
    const present = new Set(charts.map((c) => c.id));
    for (const id of [...this.#keys.keys()]) {
      if (present.has(id)) continue;
      this.#requests.get(id)?.abort();
      this.#requests.delete(id);
      this.#keys.delete(id);
      this.results.delete(id);
    }
    for (const chart of charts) {
      const key = JSON.stringify(chart.query);
      if (this.#keys.get(chart.id) === key) continue;
      this.#keys.set(chart.id, key);
      void this.#run(chart);
    }
  }

  async #run(chart: DashboardChartDefinition): Promise<void> {
    const api = this.#api();
    if (!api) return;
    this.#requests.get(chart.id)?.abort();
    const controller = new AbortController();
    this.#requests.set(chart.id, controller);
    const before = this.results.get(chart.id);
    this.results.set(chart.id, { status: 'loading', previous: before?.status === 'ready' ? before.result : undefined });
    try {
      const result = await api.preview({ ...chart.query, limit: Math.min(chart.query.limit ?? TILE_LIMIT, TILE_LIMIT) }, controller.signal);
      if (controller.signal.aborted) return;
      this.results.set(chart.id, { status: 'ready', result });
    } catch (error) {
      if (isAbortError(error) || controller.signal.aborted) return;
      const detail = toErrorDetail(error);
      this.results.set(chart.id, { status: 'error', failure: { code: detail.code, ...(detail.requestId ? { requestId: detail.requestId } : {}) } });
    }
    this.#host.requestUpdate();
  }
}
