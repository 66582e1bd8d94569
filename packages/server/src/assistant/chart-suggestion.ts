/** Which chart shows an answer best; the component draws it from the result's columns. */
import type { QueryResult, SemanticQuery } from '@perch/protocol';

export interface ChartSuggestion {
  type: 'kpi' | 'line' | 'bar' | 'table';
  title: string;
  /** Column for the x axis (time bucket or first dimension). */
  x?: string;
  /** Measure columns. */
  y: string[];
}

export function suggestChart(query: SemanticQuery, result: QueryResult, title: string): ChartSuggestion {
  const y = result.columns.filter((c) => c.kind === 'measure').map((c) => c.name);
  const time = result.columns.find((c) => c.kind === 'time');
  const dimensions = result.columns.filter((c) => c.kind === 'dimension');
  if (time && dimensions.length === 0) return { type: 'line', title, x: time.name, y };
  if (!time && dimensions.length === 0) return { type: 'kpi', title, y };
  if (!time && dimensions.length === 1 && result.rows.length <= 25 && query.measures.length <= 3) return { type: 'bar', title, x: dimensions[0]!.name, y };
  return { type: 'table', title, ...(dimensions[0] ? { x: dimensions[0].name } : {}), y };
}
