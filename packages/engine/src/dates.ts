/**
 * Date ranges resolved to concrete UTC bounds at plan time. Ranges are half-open: `[start, end)`.
 *
 * Calendar arithmetic is done on plain calendar dates with `Date.UTC` (which normalises month and
 * day overflow); the only zone-dependent step, "which UTC instant is local midnight of this date
 * in this zone", uses `Intl.DateTimeFormat`, so DST and historical offsets come from ICU data.
 */
import { PerchError } from '@perch/protocol';

export interface CalendarDate { readonly year: number; readonly month: number; readonly day: number }
export interface ResolvedRange { readonly start: Date; readonly end: Date }

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Client-given zone name → canonical IANA name, for names that were valid. */
const canonicalZones = new Map<string, string>();

/**
 * Validate an IANA time-zone name and return its canonical spelling.
 * @throws PerchError `invalid_request` at `timezone`.
 */
export function canonicalTimeZone(name: string, path = 'timezone'): string {
  const known = canonicalZones.get(name);
  if (known !== undefined) return known;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(name)) throw new PerchError('invalid_request', { path, message: `${path}: unknown time zone` });
  try {
    const canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Building an Intl.DateTimeFormat costs ~100 µs, a third of a compile; the memo is bounded
    // because names are client input (case variants of valid zones are unlimited).
    if (canonicalZones.size < 1_000) canonicalZones.set(name, canonical);
    return canonical;
  } catch {
    throw new PerchError('invalid_request', { path, message: `${path}: unknown time zone` });
  }
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(instant: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return { year: parts['year'] ?? 0, month: parts['month'] ?? 0, day: parts['day'] ?? 0, hour: parts['hour'] ?? 0, minute: parts['minute'] ?? 0, second: parts['second'] ?? 0 };
}

/** Offset of the zone from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The local calendar date of an instant in a zone. */
export function localDate(instant: Date, timeZone: string): CalendarDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return { year, month, day };
}

/**
 * The UTC instant of a local wall-clock time. Two passes settle DST transitions. A wall time that
 * does not exist (spring-forward gap) is shifted forward by the gap, like Temporal's
 * `disambiguation: 'compatible'`; an ambiguous one (fall back) takes the earlier instant.
 */
export function zonedToUtc(date: CalendarDate, timeZone: string, hour = 0, minute = 0, second = 0): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute, second);
  const day = 86_400_000;
  const before = offsetAt(new Date(wall - day), timeZone);
  const after = offsetAt(new Date(wall + day), timeZone);
  const matches = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => {
      const w = wallClock(new Date(instant), timeZone);
      return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) === wall;
    });
  if (matches.length > 0) return new Date(Math.min(...matches));
  // In a gap: read the wall time with the offset from before the transition, which lands after it.
  return new Date(wall - before);
}

/** Plain calendar arithmetic (no zones involved). */
export function addDays(date: CalendarDate, days: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
export function addMonths(date: CalendarDate, months: number): CalendarDate {
  const d = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: date.day };
}

export type Period = 'day' | 'week' | 'month' | 'quarter' | 'year';

/** First day of the period that contains `date`. Weeks start on Monday (ISO 8601), like SQL `date_trunc('week')`. */
export function startOfPeriod(date: CalendarDate, period: Period): CalendarDate {
  switch (period) {
    case 'day':
      return date;
    case 'week': {
      const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay(); // 0 = Sunday
      return addDays(date, -((weekday + 6) % 7));
    }
    case 'month':
      return { year: date.year, month: date.month, day: 1 };
    case 'quarter':
      return { year: date.year, month: Math.floor((date.month - 1) / 3) * 3 + 1, day: 1 };
    case 'year':
      return { year: date.year, month: 1, day: 1 };
  }
}

export function addPeriods(date: CalendarDate, period: Period, count: number): CalendarDate {
  switch (period) {
    case 'day':
      return addDays(date, count);
    case 'week':
      return addDays(date, 7 * count);
    case 'month':
      return addMonths(date, count);
    case 'quarter':
      return addMonths(date, 3 * count);
    case 'year':
      return addMonths(date, 12 * count);
  }
}

const RELATIVE = /^(?:(today|yesterday)|(this|last) (day|week|month|quarter|year)|last ([1-9][0-9]{0,3}) (days?|weeks?|months?|quarters?|years?))$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Resolve a date range in a zone, relative to `now`.
 *
 * - `today`, `yesterday`
 * - `this day|week|month|quarter|year`: the current period, including the part still to come
 * - `last day|week|month|quarter|year`: the previous complete period
 * - `last N days|weeks|months|quarters|years`: the N complete periods before the current one
 * - `[from, to]`: ISO dates (`2026-01-31`) or local date-times (`2026-01-31T08:00`); a date-only
 *   `to` includes that whole day, a date-time `to` is exclusive
 *
 * @example
 * ```ts
 * resolveDateRange('last 7 days', 'Europe/Paris', new Date('2026-03-10T12:00:00Z'))
 * // { start: 2026-03-02T23:00:00Z, end: 2026-03-09T23:00:00Z }
 * ```
 * @throws PerchError `invalid_date_range` with `path`.
 */
export function resolveDateRange(range: string | readonly [string, string], timeZone: string, now: Date, path = 'timeDimension.dateRange'): ResolvedRange {
  if (typeof range !== 'string') {
    const start = parseLocal(range[0], timeZone, false, `${path}[0]`);
    const end = parseLocal(range[1], timeZone, true, `${path}[1]`);
    if (end.getTime() <= start.getTime()) throw new PerchError('invalid_date_range', { path, message: `${path}: the end must be after the start` });
    return { start, end };
  }
  const match = RELATIVE.exec(range.trim().toLowerCase().replace(/\s+/g, ' '));
  if (!match) throw new PerchError('invalid_date_range', { path, message: `${path}: not a known date range` });
  const today = localDate(now, timeZone);
  let from: CalendarDate;
  let to: CalendarDate;
  if (match[1] === 'today') [from, to] = [today, addDays(today, 1)];
  else if (match[1] === 'yesterday') [from, to] = [addDays(today, -1), today];
  else {
    const period = (match[3] ?? (match[5] ?? '').replace(/s$/, '')) as Period;
    const count = match[4] !== undefined ? Number(match[4]) : 1;
    const current = startOfPeriod(today, period);
    if (match[2] === 'this') [from, to] = [current, addPeriods(current, period, 1)];
    else [from, to] = [addPeriods(current, period, -count), current];
  }
  // As for explicit dates: `Date.UTC` reads the years 0–99 as 1900–1999, and the databases'
  // timestamp text has no negative years, so a range may not start before the year 1000.
  if (from.year < 1000) throw new PerchError('invalid_date_range', { path, message: `${path}: the range may not start before the year 1000` });
  return { start: zonedToUtc(from, timeZone), end: zonedToUtc(to, timeZone) };
}

function parseLocal(text: string, timeZone: string, isEnd: boolean, path: string): Date {
  const m = ISO_DATE.exec(text);
  const invalid = () => new PerchError('invalid_date_range', { path, message: `${path}: expected an ISO date (YYYY-MM-DD) or local date-time (YYYY-MM-DDTHH:MM[:SS])` });
  if (!m) throw invalid();
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (year < 1000 || check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) throw invalid();
  if (m[4] === undefined) return zonedToUtc(isEnd ? addDays({ year, month, day }, 1) : { year, month, day }, timeZone);
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) throw invalid();
  return zonedToUtc({ year, month, day }, timeZone, hour, minute, second);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: how bounds are bound against UTC `TIMESTAMP` columns. */
export function utcTimestampText(instant: Date): string {
  return instant.toISOString().slice(0, 19).replace('T', ' ');
}
