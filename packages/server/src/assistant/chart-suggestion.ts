/**
 * Which chart shows an answer best; the component draws it from the result's columns, with the
 * same measure format and column titles a dashboard tile of that query would have.
 */
import type { QueryResult, SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import { titleIn } from './titles.js';
import { tileFormat } from './value-format.js';

export interface ChartSuggestion {
  type: 'kpi' | 'line' | 'bar' | 'table';
  title: string;
  /** Column for the x axis (time bucket or first dimension). */
  x?: string;
  /** Measure columns. */
  y: string[];
  /** The tile format of the measures, when they share one (as on a dashboard tile). */
  format?: { measure?: NonNullable<ReturnType<typeof tileFormat>> };
  /** Column titles for headers and legends ("Product", not "product.name"). */
  labels: Record<string, string>;
}

/**
 * @example
 * ```ts
 * suggestChart(query, result, 'Revenue by Region', catalog)
 * // { type: 'bar', title: 'Revenue by Region', x: 'region', y: ['revenue'], format: { measure: { style: 'currency', … } }, labels: { region: 'Region', revenue: 'Revenue' } }
 * ```
 */
export function suggestChart(query: SemanticQuery, result: QueryResult, title: string, catalog?: Catalog, comparison = false): ChartSuggestion {
  const y = result.columns.filter((c) => c.kind === 'measure').map((c) => c.name);
  const time = result.columns.find((c) => c.kind === 'time');
  const dimensions = result.columns.filter((c) => c.kind === 'dimension');
  const labels = Object.fromEntries(result.columns.map((c) => [c.name, catalog ? titleIn(catalog, query.dataset, c.name) : c.name]));
  if (time && query.timeDimension?.granularity) labels[time.name] = query.timeDimension.granularity.charAt(0).toUpperCase() + query.timeDimension.granularity.slice(1);
  const dataset = catalog?.datasets.find((d) => d.name === query.dataset);
  const formats = new Set(y.map((name) => (dataset?.members.find((m) => m.name === name) as { format?: string } | undefined)?.format));
  const measure = formats.size === 1 ? tileFormat([...formats][0]) : undefined;
  const extra = { labels, ...(measure ? { format: { measure } } : {}) };
  // Two periods side by side are two bars, not a trend line between them.
  if (time && dimensions.length === 0) return { type: comparison ? 'bar' : 'line', title, x: time.name, y, ...extra };
  if (!time && dimensions.length === 0) return { type: 'kpi', title, y, ...extra };
  if (!time && dimensions.length === 1 && result.rows.length <= 25 && query.measures.length <= 3) return { type: 'bar', title, x: dimensions[0]!.name, y, ...extra };
  return { type: 'table', title, ...(dimensions[0] ? { x: dimensions[0].name } : {}), y, ...extra };
}
