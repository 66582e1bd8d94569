import type { Granularity } from '@perch/protocol';
import type { CellValue, MeasureFormat } from '../types.js';

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * Format a measure with `Intl.NumberFormat`. Non-numeric values are shown as text.
 *
 * @example
 * formatMeasure(1234.5, { style: 'currency', currency: 'EUR' }, 'en-US') // "€1,234.50"
 */
export function formatMeasure(value: CellValue, format: MeasureFormat | undefined, locale?: string): string {
  if (value === null || value === undefined) return '—';
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return String(value);
  const key = `${locale ?? ''}|${format?.style ?? 'number'}|${format?.currency ?? ''}|${format?.decimals ?? ''}`;
  let formatter = numberFormats.get(key);
  if (!formatter) {
    const options: Intl.NumberFormatOptions = {};
    if (format?.style === 'currency') {
      options.style = 'currency';
      options.currency = format.currency ?? 'USD';
    } else if (format?.style === 'percent') {
      options.style = 'percent';
    }
    if (format?.decimals !== undefined) {
      options.minimumFractionDigits = format.decimals;
      options.maximumFractionDigits = format.decimals;
    } else if (format?.style !== 'currency') {
      options.maximumFractionDigits = 2;
    }
    try {
      formatter = new Intl.NumberFormat(locale, options);
    } catch {
      // An invalid currency code from a model must not break the tile.
      formatter = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    }
    numberFormats.set(key, formatter);
  }
  return formatter.format(number);
}

const DATE_OPTIONS: Record<Granularity, Intl.DateTimeFormatOptions> = {
  day: { year: 'numeric', month: 'short', day: 'numeric' },
  week: { year: 'numeric', month: 'short', day: 'numeric' },
  month: { year: 'numeric', month: 'short' },
  quarter: { year: 'numeric', month: 'short' },
  year: { year: 'numeric' },
};

/**
 * Format a time-dimension value (ISO date or timestamp) for its granularity. Values are
 * formatted in UTC because Perch buckets time in the query's timezone and returns the bucket
 * start; re-interpreting it in the viewer's zone would shift day/month boundaries.
 *
 * @example
 * formatTime('2025-03-01', 'month', 'en-US') // "Mar 2025"
 */
export function formatTime(value: CellValue, granularity: Granularity | undefined, locale?: string): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(typeof value === 'number' ? value : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  if (granularity === 'quarter') {
    const year = dateFormat(locale, 'quarter').format(date);
    return `Q${Math.floor(date.getUTCMonth() / 3) + 1} ${year}`;
  }
  return dateFormat(locale, granularity ?? 'default').format(date);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale and granularity: a time axis formats every bucket with the same one. */
function dateFormat(locale: string | undefined, granularity: Granularity | 'default'): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${granularity}`;
  let formatter = dateFormats.get(key);
  if (!formatter) {
    const options: Intl.DateTimeFormatOptions =
      granularity === 'quarter' ? { year: 'numeric' } : granularity === 'default' ? { dateStyle: 'medium' } : DATE_OPTIONS[granularity];
    formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' });
    dateFormats.set(key, formatter);
  }
  return formatter;
}

/**
 * Load the locale's number and date data now. The first `Intl` formatter of a page is much
 * slower than later ones (the engine loads the locale's data then); a dashboard calls this while
 * its first requests are in flight, so that cost is not paid when the first tiles arrive.
 */
export function warmFormatters(locale?: string): void {
  try {
    formatMeasure(0, { style: 'currency', currency: 'USD', decimals: 0 }, locale);
    formatMeasure(0, undefined, locale);
    formatTime(0, 'month', locale);
  } catch {
    // An invalid locale is reported where it is used, not here.
  }
}

/** Any cell as display text. Booleans and strings pass through as text, never as markup. */
export function formatCell(value: CellValue, kind: 'dimension' | 'measure' | 'time', options: { granularity?: Granularity | undefined; measure?: MeasureFormat | undefined; locale?: string | undefined }): string {
  if (kind === 'measure') return formatMeasure(value, options.measure, options.locale);
  if (kind === 'time') return formatTime(value, options.granularity, options.locale);
  return value === null ? '—' : String(value);
}
