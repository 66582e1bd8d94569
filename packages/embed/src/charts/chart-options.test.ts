import { describe, expect, it } from 'vitest';
import { buildChartOption, tooltipText, type ChartPalette } from './chart-options.js';
import type { ChartDefinition, QueryResponse } from '../types.js';

const palette: ChartPalette = { fg: '#111', muted: '#666', border: '#ddd', accent: '#36c', series: ['#36c'], font: 'sans-serif' };
const result: QueryResponse = {
  columns: [
    { name: 'region', type: 'string', kind: 'dimension' },
    { name: 'revenue', type: 'number', kind: 'measure' },
  ],
  rows: [
    { region: '<img src=x onerror=alert(1)>', revenue: 10 },
    { region: 'EMEA', revenue: '20' },
  ],
  meta: { rowCount: 2, durationMs: 1, cacheHit: false, requestId: 'r1' },
};
const chart = (type: ChartDefinition['type']): ChartDefinition => ({
  id: 'c',
  type,
  title: 'Revenue',
  permitted: true,
  query: { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] },
  format: { measure: { style: 'currency', currency: 'USD', decimals: 0 } },
});

describe('buildChartOption', () => {
  it('renders tooltips as canvas rich text, never HTML', () => {
    for (const type of ['bar', 'line', 'area', 'pie'] as const) {
      const option = buildChartOption(chart(type), result, palette, 'en-US');
      expect((option.tooltip as { renderMode: string }).renderMode).toBe('richText');
    }
  });
  it('maps categories and coerces numeric strings', () => {
    const option = buildChartOption(chart('bar'), result, palette, 'en-US');
    expect((option.xAxis as { data: string[] }).data).toEqual(['<img src=x onerror=alert(1)>', 'EMEA']);
    expect((option.series as Array<{ data: unknown[]; type: string }>)[0]).toMatchObject({ type: 'bar', data: [10, 20] });
  });
  it('builds an area chart as a line with areaStyle, and a pie from the first measure', () => {
    const area = buildChartOption(chart('area'), result, palette, 'en-US').series as Array<Record<string, unknown>>;
    expect(area[0]?.type).toBe('line');
    expect(area[0]?.areaStyle).toBeDefined();
    const pie = buildChartOption(chart('pie'), result, palette, 'en-US').series as Array<{ data: Array<{ name: string; value: number }> }>;
    expect(pie[0]?.data).toEqual([
      { name: '<img src=x onerror=alert(1)>', value: 10 },
      { name: 'EMEA', value: 20 },
    ]);
  });
});

describe('tooltipText', () => {
  it('formats values and strips rich-text braces', () => {
    const text = tooltipText([{ name: '{a|x}', seriesName: 'revenue', value: 1200 }], (v) => `$${String(v)}`);
    expect(text).toBe('a|x\nrevenue: $1200');
  });
});
