import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SharedBrowser } from '@perch/embed/testing';

/** One chart tile as Chart.js alone would draw it: its type and the data of its query result. */
export interface ChartJsSpec {
  type: 'bar' | 'line' | 'doughnut';
  /** `line` with the area under it filled (Perch's `area` tile). */
  fill: boolean;
  labels: string[];
  datasets: Array<{ label: string; data: Array<number | null> }>;
}

interface QueryResult {
  columns: Array<{ name: string; kind: 'dimension' | 'time' | 'measure' }>;
  rows: Array<Record<string, unknown>>;
}

const CHART_TYPES = { bar: 'bar', line: 'line', area: 'line', pie: 'doughnut' } as const;

/**
 * The Chart.js spec of a dashboard tile from its query result, or undefined for tiles Chart.js
 * does not draw (KPIs and tables). Labels are the raw values as text: no locale formatting.
 */
export function chartJsSpec(type: string, result: QueryResult): ChartJsSpec | undefined {
  if (!(type in CHART_TYPES)) return undefined;
  const category = result.columns.find((c) => c.kind === 'time') ?? result.columns.find((c) => c.kind === 'dimension');
  const measures = result.columns.filter((c) => c.kind === 'measure');
  return {
    type: CHART_TYPES[type as keyof typeof CHART_TYPES],
    fill: type === 'area',
    labels: result.rows.map((row) => (category ? String(row[category.name] ?? '') : '')),
    datasets: measures.map((m) => ({ label: m.name, data: result.rows.map((row) => (row[m.name] === null ? null : Number(row[m.name]))) })),
  };
}

/**
 * A floor for drawing a dashboard's chart tiles in the browser: Chart.js alone (its complete UMD
 * build, every controller registered, loaded before timing) drawing the given charts into a
 * cold page, from data already in the page. No Perch code, no network, no number or date
 * formatting, no animation: whatever Perch adds to a dashboard load comes on top. Returns the
 * time of each load, in ms, from the first chart created to the last one drawn.
 *
 * @example
 * ```ts
 * const times = await chartJsFloor(shared, specs, 5);
 * ```
 */
export async function chartJsFloor(shared: SharedBrowser, specs: readonly ChartJsSpec[], loads: number, settleMs: number): Promise<number[]> {
  // Resolved from the components' package, which depends on Chart.js; the UMD build sits beside
  // the entry point (the package's exports do not name it).
  const entry = createRequire(new URL('../../packages/embed/package.json', import.meta.url)).resolve('chart.js');
  const script = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
  const times: number[] = [];
  for (let i = 0; i < loads; i += 1) {
    const cold = await shared.newColdPage();
    try {
      const { page } = cold;
      await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
      await page.addScriptTag({ content: script });
      // As for the dashboard's cold loads: the new context's own set-up settles first.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      times.push(
        await page.evaluate((charts) => {
          const { Chart } = globalThis as unknown as { Chart: new (canvas: HTMLCanvasElement, config: unknown) => unknown };
          const started = performance.now();
          for (const spec of charts) {
            // A tile-sized box, as the dashboard lays them out.
            const box = document.createElement('div');
            box.style.cssText = 'position:relative;width:420px;height:260px';
            const canvas = document.createElement('canvas');
            box.append(canvas);
            document.body.append(box);
            new Chart(canvas, {
              type: spec.type,
              data: { labels: spec.labels, datasets: spec.datasets.map((d) => ({ ...d, fill: spec.fill })) },
              options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: spec.type === 'doughnut' || spec.datasets.length > 1 } } },
            });
          }
          return performance.now() - started;
        }, specs as ChartJsSpec[]),
      );
    } finally {
      await cold.close();
    }
  }
  return times;
}
