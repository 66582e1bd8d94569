import { describe, expect, it } from 'vitest';
import { buildChartConfig, shortLabel, tooltipLabel, tooltipTitle, valueColors, type ChartOption, type ChartPalette } from './chart-options.js';
import type { ChartDefinition, QueryResponse } from '../types.js';

const XSS = '<img src=x onerror=alert(1)>';
const palette: ChartPalette = { fg: '#111111', muted: '#666666', border: '#dddddd', accent: '#3366cc', series: ['#3366cc', '#f28e2b'], font: 'serif', surface: '#fafafa' };
const result: QueryResponse = {
  columns: [
    { name: 'region', type: 'string', kind: 'dimension' },
    { name: 'revenue', type: 'number', kind: 'measure' },
  ],
  rows: [
    { region: XSS, revenue: 10 },
    { region: 'EMEA', revenue: '20' },
  ],
  meta: { rowCount: 2, durationMs: 1, cacheHit: false, requestId: 'r1' },
};
const chart = (type: ChartDefinition['type'], extra: Partial<ChartDefinition> = {}): ChartDefinition => ({
  id: 'c',
  type,
  title: 'Revenue',
  permitted: true,
  query: { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] },
  format: { measure: { style: 'currency', currency: 'USD', decimals: 0 } },
  ...extra,
});

/** Call a Chart.js scriptable callback the way Chart.js does, without its runtime. */
type Callback = (this: unknown, ...args: unknown[]) => unknown;
const call = (fn: unknown, ...args: unknown[]): unknown => (fn as Callback).call(undefined, ...args);

const tooltipOf = (config: ChartOption) => config.options?.plugins?.tooltip;

describe('buildChartConfig', () => {
  it('draws tooltips on the canvas: no external (HTML) tooltip, plain-text callbacks', () => {
    for (const type of ['bar', 'line', 'area', 'pie'] as const) {
      const config = buildChartConfig(chart(type), result, palette, 'en-US');
      const tooltip = tooltipOf(config);
      expect(tooltip?.external).toBeUndefined();
      const callbacks = tooltip?.callbacks;
      expect(call(callbacks?.title, [{ label: XSS, raw: 10, dataset: { label: 'revenue' } }])).toBe(XSS);
      expect(call(callbacks?.label, { label: XSS, raw: 10, dataset: { label: 'revenue' } })).toBe('revenue: $10');
    }
  });

  it('maps categories, coerces numeric strings and keeps the old export name', () => {
    const config = buildChartConfig(chart('bar'), result, palette, 'en-US');
    expect(config.type).toBe('bar');
    expect(config.data.labels).toEqual([XSS, 'EMEA']);
    expect(config.data.datasets).toHaveLength(1);
    expect(config.data.datasets[0]).toMatchObject({ label: 'revenue', data: [10, 20], backgroundColor: '#3366cc' });
  });

  it('builds an area chart as a filled, translucent line, and a pie as a doughnut of the first measure', () => {
    const area = buildChartConfig(chart('area'), result, palette, 'en-US');
    expect(area.type).toBe('line');
    expect(area.data.datasets[0]).toMatchObject({ fill: 'origin', borderColor: '#3366cc', backgroundColor: 'rgba(51, 102, 204, 0.25)' });
    const line = buildChartConfig(chart('line'), result, palette, 'en-US');
    expect(line.data.datasets[0]).not.toHaveProperty('fill');
    const pie = buildChartConfig(chart('pie'), result, palette, 'en-US');
    expect(pie.type).toBe('doughnut');
    expect(pie.data.labels).toEqual([XSS, 'EMEA']);
    expect(pie.data.datasets[0]).toMatchObject({ data: [10, 20], backgroundColor: valueColors(palette, [XSS, 'EMEA']) });
    expect(pie.options?.plugins?.legend?.display).toBe(true);
    expect(buildChartConfig(chart('bar'), result, palette).options?.plugins?.legend?.display).toBe(false);
  });

  it('gives a value the same colour whatever its position and the other values, and spreads values over the palette', () => {
    const wide: ChartPalette = { ...palette, series: ['#000001', '#000002', '#000003', '#000004', '#000005', '#000006', '#000007', '#000008'] };
    const channels = ['store', 'web', 'partner', 'phone', 'marketplace'];
    const slices = (values: string[]) => {
      const config = buildChartConfig(chart('pie'), { ...result, rows: values.map((region, i) => ({ region, revenue: i + 1 })) }, wide, 'en-US');
      const colours = config.data.datasets[0]!.backgroundColor as string[];
      return Object.fromEntries(values.map((v, i) => [v, colours[i]]));
    };
    const first = slices(channels);
    const reordered = slices([...channels].reverse());
    expect(reordered).toEqual(first);
    // Another tile, another user: the same values in another order get the same colours.
    expect(slices(['store', 'web', 'partner', 'marketplace', 'phone'])).toEqual(first);
    // No two values of a chart share a colour while the palette has room.
    expect(new Set(Object.values(first)).size).toBe(channels.length);
    expect(new Set(Object.values(slices(['web', 'store', 'partner']))).size).toBe(3);
  });

  it('labels series with the model\'s member titles', () => {
    const config = buildChartConfig(chart('bar', { members: { revenue: { title: 'Revenue' }, region: { title: 'Region' } } }), result, palette, 'en-US');
    expect(config.data.datasets[0]!.label).toBe('Revenue');
  });

  it('formats time buckets with Intl for their granularity, in UTC, on a category axis', () => {
    const monthly: QueryResponse = {
      ...result,
      columns: [
        { name: 'month', type: 'time', kind: 'time' },
        { name: 'revenue', type: 'number', kind: 'measure' },
      ],
      rows: [
        { month: '2025-01-01', revenue: 1 },
        { month: '2025-02-01T00:00:00.000Z', revenue: 2 },
      ],
    };
    const def = chart('line', { query: { dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'orders.created_at', granularity: 'month' } } });
    expect(buildChartConfig(def, monthly, palette, 'en-US').data.labels).toEqual(['Jan 2025', 'Feb 2025']);
    expect(buildChartConfig(def, monthly, palette, 'de-DE').data.labels).toEqual(['Jan. 2025', 'Feb. 2025']);
  });

  it('shortens long category labels on the axis only, so one long value does not hide the others', () => {
    const long = { ...result, rows: [{ region: 'EU', revenue: 1 }, { region: 'A region name far too long for an axis', revenue: 2 }] };
    const config = buildChartConfig(chart('bar'), long, palette, 'en-US');
    const x = config.options?.scales?.x as { ticks?: { callback?: unknown } } | undefined;
    expect(call(x?.ticks?.callback, 0, 0, [])).toBe('EU');
    expect(call(x?.ticks?.callback, 1, 1, [])).toBe('A region name f…');
    expect(config.data.labels).toEqual(['EU', 'A region name far too long for an axis']);
    expect(shortLabel('exactly sixteen!')).toBe('exactly sixteen!');
  });

  it('formats value-axis ticks with the measure format and locale', () => {
    const config = buildChartConfig(chart('bar'), result, palette, 'de-DE');
    const y = config.options?.scales?.y as { ticks?: { callback?: unknown } } | undefined;
    const expected = new Intl.NumberFormat('de-DE', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 }).format(1234);
    expect(expected).toContain('1.234');
    expect(call(y?.ticks?.callback, 1234, 0, [])).toBe(expected);
  });

  it('takes its colours and font from the palette (CSS custom properties)', () => {
    const config = buildChartConfig(chart('line', {}), { ...result, columns: [...result.columns, { name: 'cost', type: 'number', kind: 'measure' }] }, palette, 'en-US');
    expect(config.options?.plugins?.legend?.labels).toMatchObject({ color: '#111111', font: { family: 'serif' } });
    expect(config.data.datasets.map((d) => d.borderColor)).toEqual(valueColors(palette, ['revenue', 'cost']));
    expect(tooltipOf(config)).toMatchObject({ backgroundColor: '#111111', bodyColor: '#fafafa', titleColor: '#fafafa' });
    const x = config.options?.scales?.x as { ticks?: { color?: string } } | undefined;
    expect(x?.ticks?.color).toBe('#666666');
  });
});

describe('tooltip text', () => {
  it('is the category, then `series: formatted value`', () => {
    expect(tooltipTitle([{ label: '{a|x}' }])).toBe('{a|x}');
    expect(tooltipTitle([])).toBe('');
    expect(tooltipLabel({ raw: 1200, dataset: { label: 'revenue' } }, (v) => `$${String(v)}`)).toBe('revenue: $1200');
  });
});
