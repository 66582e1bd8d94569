import { describe, expect, it } from 'vitest';
import { resolveDateRange } from '@perch/engine';
import { extractTime } from './time-expressions.js';

const NOW = new Date('2026-10-31T12:00:00Z');

describe('extractTime', () => {
  it.each([
    ['revenue last quarter', 'last quarter', undefined],
    ['orders over the past 3 weeks', 'last 3 weeks', undefined],
    ['orders in the last twelve months by month', 'last 12 months', 'month'],
    ['revenue quarter to date', 'this quarter', undefined],
    ['revenue in 2023', ['2023-01-01', '2023-12-31'], undefined],
    ['revenue since june', ['2026-06-01', '2026-10-31'], undefined],
    ['revenue in december', ['2025-12-01', '2025-12-31'], undefined],
    ['revenue from june to august', ['2026-06-01', '2026-08-31'], undefined],
    ['weekly revenue', undefined, 'week'],
  ] as const)('%s', (question, dateRange, granularity) => {
    const time = extractTime(question, NOW);
    expect(time.dateRange).toEqual(dateRange);
    expect(time.granularity).toBe(granularity);
  });

  it('blanks what it consumed, so the words are not matched again', () => {
    expect(extractTime('revenue by month last quarter', NOW).rest.trim()).toBe('revenue');
  });

  it('never produces a range the engine refuses', () => {
    for (const question of ['revenue since march', 'revenue in q4 2025', 'revenue this year vs last year', 'orders this week vs last week', 'revenue yesterday']) {
      const range = extractTime(question, NOW).dateRange;
      expect(range).toBeDefined();
      expect(() => resolveDateRange(range!, 'UTC', NOW)).not.toThrow();
    }
  });
});
