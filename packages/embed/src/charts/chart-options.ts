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
}

/** The subset of the ECharts option this module produces (kept structural to avoid `any`). */
export type ChartOption = Record<string, unknown>;

interface TooltipParam {
  seriesName?: string;
  name?: string;
  value?: unknown;
  marker?: unknown;
}

/**
 * Build the ECharts option for a bar/line/area/pie chart.
 *
 * Security: tooltips use `renderMode: 'richText'`, so ECharts draws them on the canvas and no
 * data value is ever parsed as HTML; the formatter also returns plain text only.
 *
 * @example
 * const option = buildChartOption(chart, result, palette, 'en-US');
 */
export function buildChartOption(chart: ChartDefinition, result: QueryResponse, palette: ChartPalette, locale?: string): ChartOption {
  const granularity = chart.query.timeDimension?.granularity as Granularity | undefined;
  const measureFormat = chart.format?.measure;
  const category = result.columns.find((c) => c.kind === 'time') ?? result.columns.find((c) => c.kind === 'dimension');
  const measures = result.columns.filter((c) => c.kind === 'measure');
  const labels = result.rows.map((row) =>
    category ? formatCell(row[category.name] ?? null, category.kind, { granularity, locale }) : '',
  );
  const formatValue = (value: unknown): string => formatMeasure(toCell(value), measureFormat, locale);
  const textStyle = { color: palette.fg, fontFamily: palette.font };

  const base: ChartOption = {
    color: palette.series,
    textStyle,
    animationDuration: 300,
    legend: { show: chart.type === 'pie' || measures.length > 1, bottom: 0, textStyle },
    tooltip: {
      renderMode: 'richText',
      confine: true,
      trigger: chart.type === 'pie' ? 'item' : 'axis',
      formatter: (params: TooltipParam | TooltipParam[]) => tooltipText(params, formatValue),
    },
  };

  if (chart.type === 'pie') {
    const measure = measures[0];
    return {
      ...base,
      series: [
        {
          type: 'pie',
          name: chart.title,
          radius: ['40%', '70%'],
          label: { color: palette.fg },
          data: result.rows.map((row, i) => ({ name: labels[i] ?? '', value: measure ? toNumber(row[measure.name]) : 0 })),
        },
      ],
    };
  }

  const seriesType = chart.type === 'area' ? 'line' : chart.type === 'bar' ? 'bar' : 'line';
  return {
    ...base,
    grid: { left: 8, right: 16, top: 16, bottom: measures.length > 1 ? 36 : 8, containLabel: true },
    xAxis: {
      type: 'category',
      data: labels,
      axisLabel: { color: palette.muted, hideOverlap: true },
      axisLine: { lineStyle: { color: palette.border } },
    },
    yAxis: {
      type: 'value',
      axisLabel: { color: palette.muted, formatter: (value: number) => formatValue(value) },
      splitLine: { lineStyle: { color: palette.border } },
    },
    series: measures.map((measure) => ({
      type: seriesType,
      name: measure.name,
      smooth: chart.type !== 'bar',
      showSymbol: false,
      ...(chart.type === 'area' ? { areaStyle: { opacity: 0.25 } } : {}),
      data: result.rows.map((row) => toNumber(row[measure.name])),
    })),
  };
}

/** Plain-text tooltip: `name` then one `series: value` line per series. */
export function tooltipText(params: TooltipParam | TooltipParam[], formatValue: (value: unknown) => string): string {
  const list = Array.isArray(params) ? params : [params];
  const title = list[0]?.name ?? '';
  const lines = list.map((p) => `${p.seriesName ?? ''}: ${formatValue(p.value)}`);
  // Braces start ECharts rich-text style tags; strip them so data cannot restyle the tooltip.
  return [title, ...lines].join('\n').replace(/[{}]/g, '');
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
