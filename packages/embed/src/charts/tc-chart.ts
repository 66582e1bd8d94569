import { LitElement, css, html, type PropertyValues } from 'lit';
import type { Chart } from 'chart.js';
import type { ChartKind, ChartOption } from './chart-options.js';

type ChartModule = typeof import('./chartjs-setup.js');

/** Chart.js is a lazily loaded chunk: KPI and table tiles, filters and skeletons render without it. */
let chartModule: Promise<ChartModule> | undefined;

/**
 * Load (once) the chunk that registers Chart.js' controllers, elements, scales and plugins.
 *
 * @example
 * const { Chart } = await loadChartJs();
 */
export function loadChartJs(): Promise<ChartModule> {
  chartModule ??= import('./chartjs-setup.js');
  return chartModule;
}

/**
 * `<tc-chart>`: one Chart.js canvas that follows its box size and is destroyed with the element.
 * Internal to `<tc-dashboard>`; set `.option` to a configuration from `buildChartConfig`.
 */
export class TcChart extends LitElement {
  static override properties = {
    option: { attribute: false },
    label: { type: String },
    _failed: { state: true },
  };

  // Chart.js' responsive mode watches the canvas' parent with a ResizeObserver; the parent must
  // be positioned and sized by the tile, not by the canvas, or the chart would only ever grow.
  static override styles = css`
    :host { display: block; position: relative; width: 100%; height: 100%; min-height: 120px; }
    .canvas { position: absolute; inset: 0; }
  `;

  option: ChartOption | undefined;
  label = '';
  private _failed = false;

  #chart: Chart<ChartKind, Array<number | null>, string> | undefined;
  #kind: ChartKind | undefined;
  #rendered: Promise<void> = Promise.resolve();

  protected override render() {
    // role="img" + aria-label: the canvas itself is opaque to assistive technology.
    return html`<div class="canvas"><canvas role="img" aria-label=${this.label}></canvas></div>
      ${this._failed ? html`<p part="error">This chart could not be drawn.</p>` : null}`;
  }

  /**
   * The chart as a PNG on an opaque `background` (the canvas itself is transparent, which image
   * viewers show as black or checkered). Undefined before the first draw.
   */
  async toPng(background: string): Promise<Blob | undefined> {
    await this.#rendered;
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas');
    if (!canvas || !this.#chart || canvas.width === 0) return undefined;
    const copy = document.createElement('canvas');
    copy.width = canvas.width;
    copy.height = canvas.height;
    const context = copy.getContext('2d');
    if (!context) return undefined;
    context.fillStyle = background;
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(canvas, 0, 0);
    return new Promise((resolve) => copy.toBlob((blob) => resolve(blob ?? undefined), 'image/png'));
  }

  /** Resolves once the canvas holds the current option (used by `tc-ready`). */
  get rendered(): Promise<void> {
    return this.#rendered;
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Also runs for the first render, when `option` is set before the element is connected.
    if (changed.has('option')) this.#draw();
  }

  /** Create, update or re-create the chart for the current option; `rendered` tracks it. */
  #draw(): void {
    // A drawing failure stays inside this tile (as text) instead of failing the dashboard.
    this.#rendered = this.#rendered.then(() => this.#sync()).catch(() => {
      this._failed = true;
    });
  }

  async #sync(): Promise<void> {
    const option = this.option;
    const canvas = this.renderRoot.querySelector<HTMLCanvasElement>('canvas');
    if (!option || !canvas) return;
    const existing = this.#chart;
    if (existing && this.#kind === option.type) {
      existing.data = option.data;
      existing.options = option.options ?? {};
      existing.update();
      return;
    }
    // Chart.js cannot switch controllers in place; start over on the same canvas.
    existing?.destroy();
    this.#chart = undefined;
    const { Chart } = await loadChartJs();
    if (!this.isConnected || this.#chart) return;
    const current = this.option ?? option;
    // The first draw is not animated: the chart is complete when `rendered` resolves (and so when
    // the dashboard reports `tc-ready`), and the cores are not spent on frames while other tiles
    // are still being drawn. Later updates (filter changes) animate as the option says.
    this.#chart = new Chart(canvas, { ...current, options: { ...current.options, animation: false } });
    this.#kind = current.type;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#chart?.destroy();
    this.#chart = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Moved in the DOM: disconnectedCallback destroyed the chart; draw it again.
    if (this.hasUpdated && !this.#chart) this.#draw();
  }
}

if (!customElements.get('tc-chart')) customElements.define('tc-chart', TcChart);

declare global {
  interface HTMLElementTagNameMap {
    'tc-chart': TcChart;
  }
}
