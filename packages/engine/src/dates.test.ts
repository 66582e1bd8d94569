import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { canonicalTimeZone, resolveDateRange, zonedToUtc } from './dates.js';

const iso = (range: { start: Date; end: Date }) => [range.start.toISOString(), range.end.toISOString()];
const NOW = new Date('2026-10-15T12:00:00Z'); // a Thursday

describe('resolveDateRange', () => {
  it.each([
    ['today', 'UTC', ['2026-10-15T00:00:00.000Z', '2026-10-16T00:00:00.000Z']],
    ['yesterday', 'UTC', ['2026-10-14T00:00:00.000Z', '2026-10-15T00:00:00.000Z']],
    ['last 7 days', 'UTC', ['2026-10-08T00:00:00.000Z', '2026-10-15T00:00:00.000Z']],
    ['this week', 'UTC', ['2026-10-12T00:00:00.000Z', '2026-10-19T00:00:00.000Z']],
    ['last week', 'UTC', ['2026-10-05T00:00:00.000Z', '2026-10-12T00:00:00.000Z']],
    ['this month', 'UTC', ['2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z']],
    ['last month', 'UTC', ['2026-09-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']],
    ['last 12 months', 'UTC', ['2025-10-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']],
    ['this quarter', 'UTC', ['2026-10-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']],
    ['last 2 quarters', 'UTC', ['2026-04-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']],
    ['this year', 'UTC', ['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']],
    ['last year', 'UTC', ['2025-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']],
    ['Last  3 Years', 'UTC', ['2023-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']],
    // Local midnights: Tokyo is UTC+9, Kolkata UTC+5:30, Los Angeles UTC-7 in October (PDT).
    ['today', 'Asia/Tokyo', ['2026-10-14T15:00:00.000Z', '2026-10-15T15:00:00.000Z']],
    ['this month', 'Asia/Kolkata', ['2026-09-30T18:30:00.000Z', '2026-10-31T18:30:00.000Z']],
    // Los Angeles leaves DST on 2026-11-01, so the end of "this month" (November 1st) is still PDT, and the end of next is PST.
    ['this month', 'America/Los_Angeles', ['2026-10-01T07:00:00.000Z', '2026-11-01T07:00:00.000Z']],
    // Paris leaves DST on 2026-10-25: "last 12 months" starts in CEST (UTC+2) and ends in CEST.
    ['last 12 months', 'Europe/Paris', ['2025-09-30T22:00:00.000Z', '2026-09-30T22:00:00.000Z']],
    ['this year', 'Europe/Paris', ['2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z']],
  ])('%s in %s', (range, zone, expected) => {
    expect(iso(resolveDateRange(range, zone, NOW))).toEqual(expected);
  });

  it('uses the local date, not the UTC date, for "today"', () => {
    // 23:30 UTC on the 15th is already the 16th in Tokyo.
    expect(iso(resolveDateRange('today', 'Asia/Tokyo', new Date('2026-10-15T23:30:00Z')))).toEqual(['2026-10-15T15:00:00.000Z', '2026-10-16T15:00:00.000Z']);
  });

  it('handles a 23-hour day (spring forward) and a 25-hour day (fall back)', () => {
    const spring = resolveDateRange('today', 'Europe/Paris', new Date('2026-03-29T12:00:00Z'));
    expect(spring.end.getTime() - spring.start.getTime()).toBe(23 * 3_600_000);
    const fall = resolveDateRange('today', 'Europe/Paris', new Date('2026-10-25T12:00:00Z'));
    expect(fall.end.getTime() - fall.start.getTime()).toBe(25 * 3_600_000);
  });

  it('explicit ranges include the whole end date, or stop at an end time', () => {
    expect(iso(resolveDateRange(['2026-01-01', '2026-01-31'], 'America/New_York', NOW))).toEqual(['2026-01-01T05:00:00.000Z', '2026-02-01T05:00:00.000Z']);
    expect(iso(resolveDateRange(['2026-01-01T08:00', '2026-01-01T17:30:00'], 'UTC', NOW))).toEqual(['2026-01-01T08:00:00.000Z', '2026-01-01T17:30:00.000Z']);
  });

  it('refuses a relative range that starts before the year 1000, and resolves the longest one that does not', () => {
    for (const range of ['last 2000 years', 'last 9999 years', 'last 4200 quarters']) {
      expect(() => resolveDateRange(range, 'UTC', NOW)).toThrow(expect.objectContaining({ code: 'invalid_date_range', path: 'timeDimension.dateRange' }));
    }
    const year = Number(NOW.toISOString().slice(0, 4));
    const longest = resolveDateRange(`last ${year - 1000} years`, 'UTC', NOW);
    expect(longest.start.toISOString()).toBe('1000-01-01T00:00:00.000Z');
  });

  it.each([['last 0 days'], ['next week'], ['last 10000 days'], ['today; drop table x']])('refuses %s', (range) => {
    expect(() => resolveDateRange(range, 'UTC', NOW)).toThrow(PerchError);
  });

  it('shifts a wall time inside a spring-forward gap forward by the gap (Temporal compatible mode)', () => {
    expect(zonedToUtc({ year: 2026, month: 3, day: 29 }, 'Europe/Paris', 2, 30).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    // Santiago springs forward at local midnight: the day starts at 01:00.
    expect(zonedToUtc({ year: 2026, month: 9, day: 6 }, 'America/Santiago').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });
});

describe('canonicalTimeZone', () => {
  it('accepts IANA names and refuses anything else', () => {
    expect(canonicalTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(canonicalTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Europe/Atlantis', "UTC' OR 1=1", '']) {
      expect(() => canonicalTimeZone(bad)).toThrow(expect.objectContaining({ code: 'invalid_request', path: 'timezone' }));
    }
  });
});
