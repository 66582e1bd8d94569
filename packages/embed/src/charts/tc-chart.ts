import { LitElement, css, html, type PropertyValues } from 'lit';
import type { EChartsType } from './echarts-setup.js';
import type { ChartOption } from './chart-options.js';

/** ECharts is a lazily loaded chunk: KPI and table tiles, filters and skeletons render without it. */
let echartsModule: Promise<typeof import('./echarts-setup.js')> | undefined;
export function loadECharts(): Promise<typeof import('./echarts-setup.js')> {
  echartsModule ??= import('./echarts-setup.js');
  return echartsModule;
}

/**
 * `<tc-chart>`: one ECharts canvas that follows its box size (ResizeObserver) and is disposed
 * with the element. Internal to `<tc-dashboard>`.
 */
export class TcChart extends LitElement {
  static override properties = {
    option: { attribute: false },
    label: { type: String },
    _failed: { state: true },
  };

  static override styles = css`
    :host { display: block; position: relative; width: 100%; height: 100%; min-height: 120px; }
    .canvas { position: absolute; inset: 0; }
  `;

  option: ChartOption | undefined;
  label = '';
  private _failed = false;

  #chart: EChartsType | undefined;
  #resizeObserver: ResizeObserver | undefined;

  protected override render() {
    // role="img" + aria-label: the canvas itself is opaque to assistive technology.
    return html`<div class="canvas" role="img" aria-label=${this.label}></div>
      ${this._failed ? html`<p part="error">This chart could not be drawn.</p>` : null}`;
  }

  /** Resolves once the canvas holds the current option (used by `tc-ready`). */
  get rendered(): Promise<void> {
    return this.#rendered;
  }

  #rendered: Promise<void> = Promise.resolve();

  protected override firstUpdated(): void {
    // A drawing failure stays inside this tile (as text) instead of failing the dashboard.
    this.#rendered = this.#mount().catch(() => {
      this._failed = true;
    });
  }

  async #mount(): Promise<void> {
    const container = this.renderRoot.querySelector<HTMLDivElement>('.canvas');
    if (!container) return;
    const { init } = await loadECharts();
    if (!this.isConnected) return;
    this.#chart = init(container, undefined, { renderer: 'canvas' });
    this.#resizeObserver = new ResizeObserver(() => this.#chart?.resize());
    this.#resizeObserver.observe(this);
    if (this.option) this.#chart.setOption(this.option, true);
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('option') && this.#chart && this.option) this.#chart.setOption(this.option, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resizeObserver?.disconnect();
    this.#chart?.dispose();
    this.#chart = undefined;
  }
}

if (!customElements.get('tc-chart')) customElements.define('tc-chart', TcChart);

declare global {
  interface HTMLElementTagNameMap {
    'tc-chart': TcChart;
  }
}
