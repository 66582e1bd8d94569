import type { ChartConfiguration } from 'chart.js';
import { Color } from '@kurkle/color';
import type { Granularity } from '@perch/protocol';
import type { ChartDefinition, QueryResponse } from '../types.js';
import { formatCell, formatMeasure } from '../format/formatters.js';

/** Colours read from the component's CSS custom properties. */
export interface ChartPalette {
  fg: string;
  muted: string;
  border: string;
  accent: string;
  series: string[];
  font: string;
  /** Tile background; tooltips invert it against `fg`. Defaults to white when absent. */
  surface?: string;
}

/** The Chart.js types Perch draws: area is a filled line, pie is a doughnut. */
export type ChartKind = 'bar' | 'line' | 'doughnut';

/**
 * A Chart.js configuration for one tile. This module imports only Chart.js' types (and
 * `@kurkle/color`, the colour parser Chart.js itself uses), so the dashboard shell carries no
 * Chart.js code; the drawing code is the lazily loaded chunk `chartjs-setup.ts`.
 */
export type ChartOption = ChartConfiguration<ChartKind, Array<number | null>, string>;

/** The part of a Chart.js tooltip item the callbacks read (kept structural to avoid `any`). */
export interface TooltipItemLike {
  label?: string;
  raw?: unknown;
  dataset?: { label?: string | undefined };
}

/**
 * Build the Chart.js configuration for a bar, line, area or pie tile.
 *
 * Security: Chart.js draws tooltips, legends and axis labels on the canvas with `fillText`, and
 * Perch registers no external (HTML) tooltip, so no data value is ever parsed as HTML.
 *
 * @example
 * const config = buildChartConfig(chart, result, palette, 'en-US');
 * new Chart(canvas, config);
 */
export function buildChartConfig(chart: ChartDefinition, result: QueryResponse, palette: ChartPalette, locale?: string): ChartOption {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  const firstMeasure = result.columns.find((c) => c.kind === 'measure');
  // The chart's own format applies to all its measures; without one (measures with different
  // formats), the first measure's format still gives the axis and tooltip a currency symbol.
  const measureFormat = chart.format?.measure ?? (firstMeasure ? chart.members?.[firstMeasure.name]?.format : undefined);
  const titleOf = (name: string): string => chart.members?.[name]?.title ?? name;
  const category = result.columns.find((c) => c.kind === 'time') ?? result.columns.find((c) => c.kind === 'dimension');
  const measures = result.columns.filter((c) => c.kind === 'measure');
  // Dates become category labels formatted with Intl here: a Chart.js time scale would need a
  // date adapter library, and the server already returns one bucket per row.
  const labels = result.rows.map((row) =>
    category ? formatCell(row[category.name] ?? null, category.kind, { granularity, locale }) : '',
  );
  const formatValue = (value: unknown): string => formatMeasure(toCell(value), measureFormat, locale);
  const font = { family: palette.font };
  const surface = palette.surface ?? '#ffffff';
  const isPie = chart.type === 'pie';
  const reducedMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

  const options: ChartOption['options'] = {
    responsive: true,
    // The tile decides the height; keeping an aspect ratio would overflow short tiles.
    maintainAspectRatio: false,
    animation: reducedMotion ? false : { duration: 300 },
    color: palette.fg,
    font,
    interaction: isPie ? { mode: 'nearest', intersect: true } : { mode: 'index', intersect: false },
    plugins: {
      legend: {
        display: isPie || measures.length > 1,
        position: 'bottom',
        labels: { color: palette.fg, font, boxWidth: 12 },
      },
      tooltip: {
        // Inverted colours so the tooltip stands out from the tile in both themes.
        backgroundColor: palette.fg,
        titleColor: surface,
        bodyColor: surface,
        borderColor: palette.border,
        borderWidth: 1,
        titleFont: font,
        bodyFont: font,
        callbacks: { title: tooltipTitle, label: (item) => tooltipLabel(item, formatValue) },
      },
    },
  };

  if (isPie) {
    const measure = measures[0];
    return {
      type: 'doughnut',
      data: {
        labels,
        datasets: [
          {
            label: chart.title,
            data: result.rows.map((row) => (measure ? toNumber(row[measure.name]) : null)),
            // Colour by value, not by position: "store" is the same colour in every tile, for every
            // user and after every reload, whatever else the result holds.
            backgroundColor: valueColors(palette, result.rows.map((row) => (category ? (row[category.name] ?? null) : null))),
            borderColor: surface,
            borderWidth: 1,
          },
        ],
      },
      options: { ...options, cutout: '55%', radius: '90%' },
    };
  }

  const seriesStrokes = valueColors(palette, measures.map((m) => m.name));
  const axis = {
    ticks: { color: palette.muted, font },
    grid: { color: palette.border },
    border: { color: palette.border },
  };
  return {
    type: chart.type === 'bar' ? 'bar' : 'line',
    data: {
      labels,
      datasets: measures.map((measure, i) => {
        // One measure is the accent colour; several take the colour of their member name, so a
        // measure keeps its colour whichever other measures share the chart.
        const stroke = measures.length === 1 ? palette.accent : (seriesStrokes[i] ?? palette.accent);
        return {
          label: titleOf(measure.name),
          data: result.rows.map((row) => toNumber(row[measure.name])),
          borderColor: stroke,
          backgroundColor: chart.type === 'area' ? withAlpha(stroke, 0.25) : stroke,
          ...(chart.type === 'bar' ? {} : { tension: 0.3, pointRadius: 0, pointHitRadius: 8, borderWidth: 2 }),
          ...(chart.type === 'area' ? { fill: 'origin' } : {}),
        };
      }),
    },
    options: {
      ...options,
      scales: {
        // autoSkip drops overlapping category labels instead of drawing them on top of each other.
        // It spaces every label by the widest one, so one long value would hide all the others:
        // the axis shows a shortened label, and the tooltip keeps the whole value.
        x: { ...axis, ticks: { ...axis.ticks, autoSkip: true, maxRotation: 0, callback: (value) => shortLabel(String(labels[Number(value)] ?? value)) }, grid: { display: false } },
        y: { ...axis, beginAtZero: true, ticks: { ...axis.ticks, callback: (value) => formatValue(value) } },
      },
    },
  };
}

/** Longest category label drawn on an axis, in characters. */
const AXIS_LABEL_CHARS = 16;

/**
 * A category label as the axis draws it: at most 16 characters, ending in "…" when cut.
 *
 * @example
 * shortLabel('Enterprise accounts (EMEA)') // "Enterprise accou…"
 */
export function shortLabel(label: string): string {
  const chars = [...label];
  return chars.length <= AXIS_LABEL_CHARS ? label : `${chars.slice(0, AXIS_LABEL_CHARS - 1).join('')}…`;
}

/** Tooltip title: the category label of the hovered point (plain text drawn on the canvas). */
export function tooltipTitle(items: readonly TooltipItemLike[]): string {
  return items[0]?.label ?? '';
}

/**
 * Tooltip line: `series: formatted value`.
 *
 * @example
 * tooltipLabel({ raw: 1200, dataset: { label: 'revenue' } }, (v) => `$${v}`) // "revenue: $1200"
 */
export function tooltipLabel(item: TooltipItemLike, formatValue: (value: unknown) => string): string {
  return `${item.dataset?.label ?? ''}: ${formatValue(item.raw)}`;
}

/**
 * Colours for the values of one chart: each value takes its own `valueColor` slot unless a value
 * before it (in sorted order, so the result's row order plays no part) already took that slot;
 * then it takes the next free one. Two values of a chart share a colour only when there are more
 * values than colours, and a value keeps its colour wherever the same values are shown.
 */
export function valueColors(palette: ChartPalette, values: ReadonlyArray<string | number | boolean | null>): string[] {
  const size = Math.max(palette.series.length, 1);
  const taken = new Set<number>();
  const slots = new Map<string, number>();
  for (const key of [...new Set(values.map((v) => String(v)))].sort()) {
    let slot = valueSlot(key, size);
    for (let probe = 0; probe < size && taken.has(slot); probe++) slot = (slot + 1) % size;
    taken.add(slot);
    slots.set(key, slot);
  }
  return values.map((v) => palette.series[slots.get(String(v)) ?? 0] ?? palette.accent);
}

function valueSlot(text: string, size: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % size;
}

/**
 * A value's colour: its FNV-1a hash picks the palette entry, so the colour depends only on the
 * value (and the palette), never on its position in a result.
 *
 * @example
 * valueColor(palette, 'store') === valueColor(palette, 'store') // in every chart, for every user
 */
export function valueColor(palette: ChartPalette, value: string | number | boolean | null): string {
  return palette.series[valueSlot(String(value), Math.max(palette.series.length, 1))] ?? palette.accent;
}

/** A CSS colour with the given opacity; colours it cannot parse are drawn opaque. */
function withAlpha(css: string, alpha: number): string {
  const parsed = new Color(css);
  return parsed.valid ? parsed.alpha(alpha).rgbString() : css;
}

function toCell(value: unknown): string | number | null {
  return typeof value === 'number' || typeof value === 'string' ? value : null;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
