/**
 * Values in answers, formatted exactly as the dashboard tiles format them: the same shared
 * formatter (`@perch/embed/format`) and the same mapping from a model format to a tile format
 * (currency in whole dollars, integers without decimals, anything else up to two decimals).
 */
import { formatMeasure, formatTime } from '@perch/embed/format';
import type { Granularity } from '@perch/protocol';
import type { CatalogDataset } from '@perch/engine';

/** The locale answers are written in; tiles default to the page's, the server writes English. */
const LOCALE = 'en-US';

type TileFormat = { style: 'currency' | 'number' | 'percent'; currency?: string; decimals?: number };

/** Mirrors the dashboard definition's measure format (dashboards/dashboard-view.ts). */
export function tileFormat(format: string | undefined): TileFormat | undefined {
  if (format === 'currency') return { style: 'currency', currency: 'USD', decimals: 0 };
  if (format === 'integer') return { style: 'number', decimals: 0 };
  return undefined;
}

/** A measure's value as its tile would show it. */
export function formatMeasureValue(dataset: CatalogDataset | undefined, member: string, value: unknown): string {
  const format = (dataset?.members.find((m) => m.name === member) as { format?: string } | undefined)?.format;
  return formatMeasure(value as never, tileFormat(format), LOCALE);
}

/** A time bucket as the tile's axis would show it ("Mar 2026", "Q3 2026"), never an ISO timestamp. */
export function formatTimeValue(value: unknown, granularity: Granularity | undefined): string {
  return formatTime(value as never, granularity, LOCALE);
}

/** A date of a range ("Jan 1, 2025"); date-only strings are read as UTC days. */
export function formatDay(value: string): string {
  return formatTime(value.length === 10 ? `${value}T00:00:00Z` : /[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value}Z`, 'day', LOCALE);
}
