/**
 * Time expressions in a question → a date range and a granularity from the engine's grammar
 * (docs/model.md, "Time"). Relative phrases map onto the engine's own relative ranges; calendar
 * phrases ("since March", "in March 2025", "between Jan 1 and Feb 15") are read by chrono-node and
 * become explicit `[from, to]` ranges. Every range is re-checked by the engine at plan time.
 */
import * as chrono from 'chrono-node';
import { GRANULARITIES, type Granularity } from '@perch/protocol';
import { resolveDateRange } from '@perch/engine';
import { NUMBER_WORD_PATTERN, parseCount } from './text.js';

export type DateRange = string | [string, string];

export interface TimeExpression {
  dateRange?: DateRange;
  granularity?: Granularity;
  /** Words describing the range for the explanation, e.g. "last quarter". */
  rangeLabel?: string;
  comparison?: { kind: 'previous_year' } | { kind: 'previous_period'; unit: Granularity };
  /**
   * A like-for-like comparison: the two periods compared, as `[from, to)` pairs. The planner
   * keeps only rows inside them, so an unfinished period meets the same days of the other one.
   */
  periods?: Array<[string, string]>;
  /** The time grain itself is ranked ("which month was best"). */
  rankedGrain?: 'one' | 'many';
  /** Sentences for the answer: which year a bare "Q3" or "March" was read as. */
  notes: string[];
  /** A period named only relative to another one ("the month before"): the planner asks which. */
  unclear?: string;
  /** The question with every consumed phrase blanked out. */
  rest: string;
}

const UNIT = '(day|week|month|quarter|year)s?';

function blank(text: string, start: number, length: number): string {
  return text.slice(0, start) + ' '.repeat(length) + text.slice(start + length);
}

/** Remove the first match of `pattern` from `text`; returns the match. */
function take(state: { text: string }, pattern: RegExp): RegExpExecArray | undefined {
  const match = pattern.exec(state.text);
  if (!match) return undefined;
  state.text = blank(state.text, match.index, match[0].length);
  return match;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoStart = (d: Date) => `${isoDate(d)}T00:00`;

/**
 * @example
 * ```ts
 * extractTime('revenue by month last quarter', new Date('2026-10-31T12:00:00Z'))
 * // { granularity: 'month', dateRange: 'last quarter', rangeLabel: 'last quarter', rest: 'revenue … ' }
 * ```
 */
export function extractTime(lowerQuestion: string, now: Date): TimeExpression {
  const state = { text: lowerQuestion };
  const out: TimeExpression = { rest: '', notes: [] };

  const byUnit = take(state, new RegExp(`\\b(?:by|per|each|every|for each)\\s+(?:the\\s+)?${UNIT}\\b`));
  if (byUnit) out.granularity = byUnit[1] as Granularity;
  // "by region and month", "per channel, week": a grain joined to another breakdown.
  const joined = !out.granularity && /\b(?:by|per|across)\b/.test(state.text) ? take(state, new RegExp(`(?:\\band|,)\\s+(?:by\\s+|per\\s+)?(?:the\\s+)?${UNIT}(?![\\w-])(?!\\s+(?:to|over)\\b)`)) : undefined;
  if (joined) out.granularity = joined[1] as Granularity;
  // "which month was best", "the busiest week", "top 3 quarters": the grain is what gets ranked.
  const ranked = !out.granularity
    ? take(state, new RegExp(`\\b(?:(which|what)|(?:best|worst|busiest|top|strongest|weakest|biggest|slowest|quietest|highest|lowest|record|peak)(?:\\s+(?:${NUMBER_WORD_PATTERN}))?)\\s+${UNIT}(?![\\w-])(?!\\s+(?:to|over)\\b)`))
    : undefined;
  if (ranked) {
    out.granularity = ranked[2] as Granularity;
    out.rankedGrain = /s$/.test(ranked[0].trim()) ? 'many' : 'one';
    // Keep the ranking word itself for the ranking reader; only the grain is consumed.
    state.text = state.text.slice(0, ranked.index) + ranked[0].replace(new RegExp(`${UNIT}$`), (m) => ' '.repeat(m.length)) + state.text.slice(ranked.index + ranked[0].length);
  }
  const adverb = !out.granularity ? take(state, /\b(daily|weekly|monthly|quarterly|yearly|annually)\b/) : undefined;
  if (adverb) out.granularity = ({ daily: 'day', weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year' } as const)[adverb[1] as 'daily'];

  if (take(state, /\b(?:(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?(?:same\s+(?:period|day|week|month|quarter|time)\s+)?(?:(?:last|previous|prior|a)\s+year(?:\s+ago)?|the\s+year\s+before)|year[- ]over[- ]year|yoy)\b/)) {
    out.comparison = { kind: 'previous_year' };
  } else {
    const period = take(state, /\b(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?(?:last|previous|prior)\s+(day|week|month|quarter)\b/);
    if (period) out.comparison = { kind: 'previous_period', unit: period[1] as Granularity };
  }

  const relativeToEarlier = take(state, /\b(?:the\s+)?(?:day|week|month|quarter|year)\s+(?:before|after|prior)(?:\s+that)?\b|\bthe\s+(?:previous|prior)\s+one\b/);
  if (relativeToEarlier) out.unclear = relativeToEarlier[0].trim();
  readQuarterPair(state, out, now);
  if (!out.dateRange) readRange(state, out, now);
  // Trend words always count as understood; they set a grain only when none was named.
  if (take(state, /\b(?:over time|trends?|trending|timeline|time series)\b/)) out.granularity ??= 'month';
  if (out.comparison) applyComparison(out, now);
  out.rest = state.text;
  return out;
}

/** The most recent quarter q that has begun, as [from, to) instants. */
function recentQuarter(q: number, now: Date): { year: number; range: [string, string] } {
  const thisYear = now.getUTCFullYear();
  const year = Date.UTC(thisYear, (q - 1) * 3, 1) <= now.getTime() ? thisYear : thisYear - 1;
  return { year, range: [isoStart(new Date(Date.UTC(year, (q - 1) * 3, 1))), isoStart(new Date(Date.UTC(year, q * 3, 1)))] };
}

/** "Q1 vs Q2", "Q2 and Q3 compared": two quarters side by side, each as its own bucket. */
function readQuarterPair(state: { text: string }, out: TimeExpression, now: Date): void {
  const pair = take(state, /\bq([1-4])(?:\s+((?:19|20)\d{2}))?\s*(?:vs\.?|versus|compared (?:to|with)|against|and|or)\s*q([1-4])(?:\s+((?:19|20)\d{2}))?\b/);
  if (!pair) return;
  const pick = (q: number, year: string | undefined) =>
    year ? { year: Number(year), range: [isoStart(new Date(Date.UTC(Number(year), (q - 1) * 3, 1))), isoStart(new Date(Date.UTC(Number(year), q * 3, 1)))] as [string, string] } : recentQuarter(q, now);
  // "Q2 and Q3 2025": a year written once applies to both quarters.
  const a = pick(Number(pair[1]), pair[2] ?? pair[4]);
  const b = pick(Number(pair[3]), pair[4] ?? pair[2]);
  const [first, second] = a.range[0] <= b.range[0] ? [a, b] : [b, a];
  out.periods = [first.range, second.range];
  out.dateRange = [first.range[0], second.range[1]];
  out.granularity ??= 'quarter';
  out.rangeLabel = `Q${pair[1]} ${a.year} compared with Q${pair[3]} ${b.year}`;
  if (!pair[2] && !pair[4]) out.notes.push(`Quarters without a year are read as the most recent ones: Q${pair[1]} ${a.year} and Q${pair[3]} ${b.year}.`);
}

function readRange(state: { text: string }, out: TimeExpression, now: Date): void {
  const prefix = '(?:(?:in|during|for|over|from|within)\\s+)?(?:the\\s+)?';
  const relativeN = take(state, new RegExp(`\\b${prefix}(?:last|past|previous|prior)\\s+(${NUMBER_WORD_PATTERN})\\s+${UNIT}\\b`));
  if (relativeN) {
    const n = parseCount(relativeN[1]!) ?? 1;
    out.dateRange = `last ${n} ${relativeN[2]}s`;
    out.rangeLabel = `the last ${n} ${relativeN[2]}s`;
    return;
  }
  const relative = take(state, new RegExp(`\\b${prefix}(last|past|previous|prior|this|current)\\s+(day|week|month|quarter|year)\\b`));
  if (relative) {
    const which = relative[1] === 'this' || relative[1] === 'current' ? 'this' : 'last';
    out.dateRange = `${which} ${relative[2]}`;
    out.rangeLabel = out.dateRange;
    return;
  }
  const day = take(state, /\b(today|yesterday)\b/);
  if (day) {
    out.dateRange = day[1]!;
    out.rangeLabel = day[1]!;
    return;
  }
  const toDate = take(state, /\b(year|quarter|month|week)[- ]to[- ]date\b|\b(ytd|qtd|mtd)\b/);
  if (toDate) {
    const unit = toDate[1] ?? ({ ytd: 'year', qtd: 'quarter', mtd: 'month' } as const)[toDate[2] as 'ytd'];
    out.dateRange = `this ${unit}`;
    out.rangeLabel = `${unit} to date`;
    return;
  }
  // "to date", "so far", "all time": no limit on the period, and not a grouping by date.
  if (take(state, /\b(?:to date|all[- ]time|of all time|ever)\b/)) return;
  const quarter = take(state, /\b(?:in\s+|during\s+|for\s+)?q([1-4])\s*(?:of\s+)?((?:19|20)\d{2})\b/);
  if (quarter) {
    const [q, year] = [Number(quarter[1]), Number(quarter[2])];
    out.dateRange = [isoStart(new Date(Date.UTC(year, (q - 1) * 3, 1))), isoStart(new Date(Date.UTC(year, q * 3, 1)))];
    out.rangeLabel = `Q${q} ${year}`;
    return;
  }
  const bare = take(state, /\b(?:(?:in|during|for|of)\s+)?(?:the\s+)?(?:q([1-4])|(first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)\b(?!\s*(?:of\s+)?(?:19|20)\d{2})/);
  if (bare) {
    // A quarter named without a year is the most recent one that has begun.
    const q = bare[1] ? Number(bare[1]) : ({ first: 1, '1st': 1, second: 2, '2nd': 2, third: 3, '3rd': 3, fourth: 4, '4th': 4 } as const)[bare[2] as 'first'];
    const thisYear = now.getUTCFullYear();
    const year = Date.UTC(thisYear, (q - 1) * 3, 1) <= now.getTime() ? thisYear : thisYear - 1;
    out.dateRange = [isoStart(new Date(Date.UTC(year, (q - 1) * 3, 1))), isoStart(new Date(Date.UTC(year, q * 3, 1)))];
    out.rangeLabel = `Q${q} ${year}`;
    out.notes.push(`Q${q} is read as the most recent one, Q${q} ${year}.`);
    return;
  }
  const year = take(state, /\b(?:in|during|for|of|throughout)\s+((?:19|20)\d{2})\b/);
  if (year) {
    out.dateRange = [`${year[1]}-01-01`, `${year[1]}-12-31`];
    out.rangeLabel = `in ${year[1]}`;
    return;
  }
  readCalendarRange(state, out, now);
}

/** "since March", "in March 2025", "between Jan 1 2025 and Feb 15 2025", "from June to August". */
function readCalendarRange(state: { text: string }, out: TimeExpression, now: Date): void {
  const results = chrono.parse(state.text, { instant: now, timezone: 'UTC' }, { forwardDate: false });
  const first = results[0];
  if (!first) return;
  const before = state.text.slice(0, first.index);
  const since = /\b(since|after|from)\s+(?:the\s+)?$/.exec(before);
  const between = /\bbetween\s+$/.exec(before);
  const start = pastDate(first.start, now);
  let consumedFrom = first.index - (since?.[0].length ?? between?.[0].length ?? 0);
  let consumedTo = first.index + first.text.length;
  const monthOnly = !first.start.isCertain('day');

  if (first.end) {
    const end = pastDate(first.end, now);
    out.dateRange = [isoDate(start), monthOnly ? isoDate(lastDayOfMonth(end)) : isoDate(end)];
  } else if (between && results[1]) {
    const second = results[1];
    out.dateRange = [isoDate(start), isoDate(second.start.isCertain('day') ? pastDate(second.start, now) : lastDayOfMonth(pastDate(second.start, now)))];
    consumedTo = second.index + second.text.length;
  } else if (since) {
    out.dateRange = [isoDate(start), isoDate(now)];
  } else if (monthOnly && first.start.isCertain('month')) {
    out.dateRange = [isoDate(start), isoDate(lastDayOfMonth(start))];
    if (!first.start.isCertain('year')) {
      const name = new Intl.DateTimeFormat('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(start);
      out.notes.push(`${name.split(' ')[0]} is read as the most recent one, ${name}.`);
    }
    const lead = /\b(in|during|for|of)\s+$/.exec(before);
    consumedFrom = first.index - (lead?.[0].length ?? 0);
  } else if (first.start.isCertain('day')) {
    out.dateRange = [isoDate(start), isoDate(start)];
    const lead = /\b(on|for)\s+$/.exec(before);
    consumedFrom = first.index - (lead?.[0].length ?? 0);
  } else {
    return;
  }
  if (typeof out.dateRange !== 'string' && out.dateRange && out.dateRange[1] < out.dateRange[0]) out.dateRange = [out.dateRange[0], isoDate(now)];
  out.rangeLabel = state.text.slice(consumedFrom, consumedTo).trim();
  state.text = blank(state.text, consumedFrom, consumedTo - consumedFrom);
}

/** A month or day named without a year means the most recent one, never one in the future. */
function pastDate(component: chrono.ParsedComponents, now: Date): Date {
  const date = component.date();
  if (!component.isCertain('year') && date.getTime() > now.getTime()) {
    return new Date(Date.UTC(date.getUTCFullYear() - 1, date.getUTCMonth(), date.getUTCDate()));
  }
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function lastDayOfMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0));
}

/**
 * "vs last year": one query whose time buckets hold both periods side by side, so the answer and
 * the chart compare like with like (granularity = the compared period).
 */
function applyComparison(out: TimeExpression, now: Date): void {
  const comparison = out.comparison!;
  const unit: Granularity = comparison.kind === 'previous_period' ? comparison.unit : baseUnit(out.dateRange) ?? 'year';
  const base = out.dateRange ?? `this ${unit}`;
  const current = resolveDateRange(base, 'UTC', now);
  const startDate = current.start;
  const from =
    comparison.kind === 'previous_year'
      ? new Date(Date.UTC(startDate.getUTCFullYear() - 1, startDate.getUTCMonth(), startDate.getUTCDate()))
      : resolveDateRange(`last ${unit}`, 'UTC', startDate).start;
  // Like for like: an unfinished period is compared with the same stretch of the earlier one.
  const unfinished = current.end.getTime() > now.getTime();
  const currentEnd = unfinished ? now : current.end;
  const earlierEnd = new Date(from.getTime() + (currentEnd.getTime() - startDate.getTime()));
  const cappedEarlierEnd =
    comparison.kind === 'previous_year'
      ? new Date(Date.UTC(currentEnd.getUTCFullYear() - 1, currentEnd.getUTCMonth(), currentEnd.getUTCDate(), currentEnd.getUTCHours(), currentEnd.getUTCMinutes()))
      : new Date(Math.min(earlierEnd.getTime(), startDate.getTime(), (unit === 'month' ? lastDayEnd(from, currentEnd) : earlierEnd).getTime()));
  const iso = (d: Date) => d.toISOString().slice(0, 16);
  out.periods = [
    [iso(from), iso(cappedEarlierEnd)],
    [iso(startDate), iso(currentEnd)],
  ];
  out.dateRange = [isoStart(from), iso(currentEnd)];
  out.granularity ??= comparison.kind === 'previous_year' && unit !== 'year' ? 'year' : unit;
  const base_ = out.rangeLabel ?? `this ${unit}`;
  out.rangeLabel = `${base_} compared with ${comparison.kind === 'previous_year' ? 'the same period a year earlier' : `the same stretch of the previous ${unit}`}`;
  if (unfinished) out.notes.push(`The current ${unit} is not over yet, so both periods are compared up to the same day.`);
}

/** The earlier period's end on the same day of its month as `currentEnd` (Sep 30 for Oct 31). */
function lastDayEnd(from: Date, currentEnd: Date): Date {
  const lastDay = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 0)).getUTCDate();
  const day = Math.min(currentEnd.getUTCDate(), lastDay);
  return new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), day, currentEnd.getUTCHours(), currentEnd.getUTCMinutes()));
}

function baseUnit(range: DateRange | undefined): Granularity | undefined {
  if (typeof range !== 'string') return undefined;
  const unit = /(day|week|month|quarter|year)s?$/.exec(range)?.[1];
  return (GRANULARITIES as readonly string[]).includes(unit ?? '') ? (unit as Granularity) : undefined;
}
