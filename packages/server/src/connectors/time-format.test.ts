import { describe, expect, it } from 'vitest';
import { isoFromEpochMillis, pgTimestampToIso } from './time-format.js';

describe('pgTimestampToIso', () => {
  it.each([
    ['2026-01-31 00:00:00', '2026-01-31T00:00:00.000Z'],
    ['2026-02-01 12:30:45.1', '2026-02-01T12:30:45.100Z'],
    ['2026-02-01 12:30:45.123456', '2026-02-01T12:30:45.123Z'],
    ['2026-02-01 12:30:45.123+00', '2026-02-01T12:30:45.123Z'],
    ['2026-02-01 12:30:45+00:00', '2026-02-01T12:30:45.000Z'],
  ])('rewrites %s', (text, iso) => {
    expect(pgTimestampToIso(text)).toBe(iso);
  });

  it.each(['infinity', '-infinity', '0044-03-15 00:00:00 BC', '2026-02-01 12:30:45+02'])('keeps %s as PostgreSQL wrote it', (text) => {
    expect(pgTimestampToIso(text)).toBe(text);
  });
});

describe('isoFromEpochMillis', () => {
  it('formats an instant as UTC with milliseconds', () => {
    expect(isoFromEpochMillis(Date.UTC(2026, 0, 31, 0, 0, 0, 7))).toBe('2026-01-31T00:00:00.007Z');
  });
  it('keeps the raw number when a JS Date cannot hold it', () => {
    expect(isoFromEpochMillis(9e15)).toBe('9000000000000000');
  });
});
