import { describe, expect, it } from 'vitest';
import { resolveDateRange } from '@perch/engine';
import { previousPeriod } from './previous-period.js';

/*
 * The comparison period must be exactly the period before the one Perch resolves for the
 * dashboard: checked against the engine's own resolver, not against a copy of its rules.
 */
const NOWS = ['2026-03-10T12:00:00Z', '2026-01-01T00:30:00Z', '2024-02-29T23:59:00Z', '2026-12-31T08:00:00Z'].map((t) => new Date(t));

describe('previousPeriod', () => {
  for (const range of ['last 7 days', 'last 30 days', 'last 12 months', 'last 1 month', 'last 2 years']) {
    it(`ends where Perch's "${range}" starts and lasts as long`, () => {
      for (const now of NOWS) {
        const current = resolveDateRange(range, 'UTC', now);
        const previous = resolveDateRange(previousPeriod(range, now)!, 'UTC', now);
        expect(previous.end.getTime()).toBe(current.start.getTime());
        if (range.endsWith('days')) expect(previous.end.getTime() - previous.start.getTime()).toBe(current.end.getTime() - current.start.getTime());
      }
    });
  }

  it('compares "this month" with the same days of the previous month', () => {
    expect(previousPeriod('this month', new Date('2026-03-10T12:00:00Z'))).toEqual(['2026-02-01', '2026-02-10']);
    expect(previousPeriod('this month', new Date('2026-03-31T12:00:00Z'))).toEqual(['2026-02-01', '2026-02-28']);
    const current = resolveDateRange('this month', 'UTC', new Date('2026-03-10T12:00:00Z'));
    expect(resolveDateRange(previousPeriod('this month', new Date('2026-03-10T12:00:00Z'))!, 'UTC', new Date()).end.getTime()).toBeLessThanOrEqual(current.start.getTime());
  });

  it('takes a custom range of the same number of days just before it, and has nothing for all time', () => {
    expect(previousPeriod(['2026-01-11', '2026-01-20'], new Date())).toEqual(['2026-01-01', '2026-01-10']);
    expect(previousPeriod(null, new Date())).toBeUndefined();
    expect(previousPeriod(undefined, new Date())).toBeUndefined();
    expect(previousPeriod('last 3 weeks', new Date())).toBeUndefined();
    expect(previousPeriod(['2026-01-20', '2026-01-11'], new Date())).toBeUndefined();
  });
});
