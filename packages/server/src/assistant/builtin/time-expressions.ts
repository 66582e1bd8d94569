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
  const out: TimeExpression = { rest: '' };

  const byUnit = take(state, new RegExp(`\\b(?:by|per|each|every|for each)\\s+(?:the\\s+)?${UNIT}\\b`));
  if (byUnit) out.granularity = byUnit[1] as Granularity;
  const adverb = !out.granularity ? take(state, /\b(daily|weekly|monthly|quarterly|yearly|annually)\b/) : undefined;
  if (adverb) out.granularity = ({ daily: 'day', weekly: 'week', monthly: 'month', quarterly: 'quarter', yearly: 'year', annually: 'year' } as const)[adverb[1] as 'daily'];

  if (take(state, /\b(?:(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?(?:last|previous|prior|same period last)\s+year|year[- ]over[- ]year|yoy)\b/)) {
    out.comparison = { kind: 'previous_year' };
  } else {
    const period = take(state, /\b(?:vs\.?|versus|compared (?:to|with)|against)\s+(?:the\s+)?(?:last|previous|prior)\s+(day|week|month|quarter)\b/);
    if (period) out.comparison = { kind: 'previous_period', unit: period[1] as Granularity };
  }

  readRange(state, out, now);
  if (!out.granularity && take(state, /\b(?:over time|trends?|trending|timeline|time series)\b/)) out.granularity = 'month';
  if (out.comparison) applyComparison(out, now);
  out.rest = state.text;
  return out;
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
  const quarter = take(state, /\b(?:in\s+|during\s+|for\s+)?q([1-4])\s*(?:of\s+)?((?:19|20)\d{2})\b/);
  if (quarter) {
    const [q, year] = [Number(quarter[1]), Number(quarter[2])];
    out.dateRange = [isoStart(new Date(Date.UTC(year, (q - 1) * 3, 1))), isoStart(new Date(Date.UTC(year, q * 3, 1)))];
    out.rangeLabel = `Q${q} ${year}`;
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
  out.dateRange = [isoStart(from), isoStart(current.end)];
  out.granularity ??= unit;
  out.rangeLabel = `${out.rangeLabel ?? `this ${unit}`} compared with ${comparison.kind === 'previous_year' ? 'the year before' : `the previous ${unit}`}`;
}

function baseUnit(range: DateRange | undefined): Granularity | undefined {
  if (typeof range !== 'string') return undefined;
  const unit = /(day|week|month|quarter|year)s?$/.exec(range)?.[1];
  return (GRANULARITIES as readonly string[]).includes(unit ?? '') ? (unit as Granularity) : undefined;
}
