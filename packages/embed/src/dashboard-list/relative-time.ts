/** Largest unit first: the first whose size the elapsed time reaches names it. */
const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/**
 * "3 days ago", "yesterday", "now": an ISO time relative to `now`, in the user's locale, by
 * `Intl.RelativeTimeFormat`. Undefined for a time that does not parse, so nothing misleading is shown.
 *
 * @example
 * relativeTime('2026-01-01T10:00:00Z', Date.parse('2026-01-03T10:00:00Z'), 'en') // "2 days ago"
 */
export function relativeTime(iso: string, now: number, locale?: string): string | undefined {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return undefined;
  const seconds = Math.round((at - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/**
 * The full date and time for a tooltip, by `Intl.DateTimeFormat`.
 *
 * @example
 * absoluteTime('2026-01-01T10:00:00Z', 'en-GB') // "1 Jan 2026, 10:00"
 */
export function absoluteTime(iso: string, locale?: string): string | undefined {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return undefined;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}
