import type { DashboardFilters } from '../types.js';

type Unit = 'day' | 'month' | 'year';

const RELATIVE = /^last (\d+) (day|month|year)s?$/;

const iso = (date: Date): string => date.toISOString().slice(0, 10);
const utcDay = (date: Date): Date => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));

function startOf(day: Date, unit: Unit): Date {
  if (unit === 'day') return day;
  if (unit === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
  return new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
}

function add(day: Date, unit: Unit, count: number): Date {
  if (unit === 'day') return new Date(day.getTime() + count * 86_400_000);
  if (unit === 'month') return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() + count, 1));
  return new Date(Date.UTC(day.getUTCFullYear() + count, 0, 1));
}

/**
 * The period just before a dashboard's date range, with the same length, as an explicit
 * `[from, to]` range (dates inclusive, UTC, as Perch reads dashboard ranges): what a KPI compares
 * itself with. Relative ranges follow Perch's meaning ("last 12 months" ends at the start of the
 * current month); "this month" is compared up to the same day of the previous month. Undefined
 * when there is nothing to compare with (all time, or a range this function does not know).
 *
 * @example
 * previousPeriod('last 7 days', new Date('2026-03-10T12:00:00Z')) // ['2026-02-24', '2026-03-02']
 */
export function previousPeriod(range: DashboardFilters['dateRange'], now: Date): [string, string] | undefined {
  const today = utcDay(now);
  if (Array.isArray(range)) {
    const from = new Date(`${range[0].slice(0, 10)}T00:00:00Z`);
    const to = new Date(`${range[1].slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()) || to < from) return undefined;
    const days = Math.round((to.getTime() - from.getTime()) / 86_400_000) + 1;
    return [iso(add(from, 'day', -days)), iso(add(from, 'day', -1))];
  }
  if (typeof range !== 'string') return undefined;
  const text = range.trim().toLowerCase().replace(/\s+/g, ' ');
  if (text === 'this month' || text === 'this year') {
    const unit: Unit = text === 'this month' ? 'month' : 'year';
    const start = startOf(today, unit);
    const previousStart = add(start, unit, -1);
    const elapsed = Math.round((today.getTime() - start.getTime()) / 86_400_000);
    const end = add(previousStart, 'day', elapsed);
    // The previous period may be shorter (31 March against February): stop at its last day.
    const last = add(start, 'day', -1);
    return [iso(previousStart), iso(end < last ? end : last)];
  }
  const match = RELATIVE.exec(text);
  if (!match) return undefined;
  const count = Number(match[1]);
  const unit = match[2] as Unit;
  const currentStart = add(startOf(today, unit), unit, -count);
  return [iso(add(currentStart, unit, -count)), iso(add(currentStart, 'day', -1))];
}
