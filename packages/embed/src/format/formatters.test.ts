import { describe, expect, it } from 'vitest';
import { formatCell, formatMeasure, formatTime, warmFormatters } from './formatters.js';

describe('formatMeasure', () => {
  it('formats currency with Intl', () => {
    expect(formatMeasure(1234.5, { style: 'currency', currency: 'EUR' }, 'en-US')).toBe('€1,234.50');
  });
  it('honours decimals and percent', () => {
    expect(formatMeasure(0.1234, { style: 'percent', decimals: 1 }, 'en-US')).toBe('12.3%');
    expect(formatMeasure(2, { style: 'number', decimals: 2 }, 'en-US')).toBe('2.00');
  });
  it('parses numeric strings (bigint sums arrive as strings) and shows text otherwise', () => {
    expect(formatMeasure('1000', undefined, 'en-US')).toBe('1,000');
    expect(formatMeasure('n/a', undefined, 'en-US')).toBe('n/a');
    expect(formatMeasure(null, undefined, 'en-US')).toBe('—');
  });
  it('survives an invalid currency code from a model', () => {
    expect(formatMeasure(5, { style: 'currency', currency: 'not-a-currency' }, 'en-US')).toBe('5');
  });
});

describe('formatTime', () => {
  it('formats by granularity in UTC', () => {
    expect(formatTime('2025-03-01', 'month', 'en-US')).toBe('Mar 2025');
    expect(formatTime('2025-03-31T00:00:00.000Z', 'day', 'en-US')).toBe('Mar 31, 2025');
    expect(formatTime('2025-08-01', 'quarter', 'en-US')).toBe('Q3 2025');
    expect(formatTime('2025-08-01', 'year', 'en-US')).toBe('2025');
  });
  it('keeps one formatter per locale and granularity, never mixing them up', () => {
    expect(formatTime('2025-03-01', 'month', 'de-DE')).toBe('März 2025');
    expect(formatTime('2025-03-01', 'month', 'en-US')).toBe('Mar 2025');
    expect(formatTime('2025-03-01', 'year', 'en-US')).toBe('2025');
    expect(formatTime('2025-03-01', undefined, 'en-US')).toBe('Mar 1, 2025');
    expect(formatTime('2025-11-01', 'quarter', 'de-DE')).toBe('Q4 2025');
  });
  it('returns unparseable values unchanged', () => {
    expect(formatTime('<b>x</b>', 'day', 'en-US')).toBe('<b>x</b>');
  });
});

describe('formatCell', () => {
  it('dispatches on the column kind', () => {
    expect(formatCell(true, 'dimension', {})).toBe('true');
    expect(formatCell(3000, 'measure', { locale: 'en-US' })).toBe('3,000');
  });
});

describe('warmFormatters', () => {
  it('never throws, even for a locale Intl rejects, and leaves formatting unchanged', () => {
    expect(() => warmFormatters('not a locale!')).not.toThrow();
    warmFormatters('en-US');
    expect(formatMeasure(1234, { style: 'currency', currency: 'USD', decimals: 0 }, 'en-US')).toBe('$1,234');
  });
});
