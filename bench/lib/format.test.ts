import { describe, expect, it } from 'vitest';
import { formatDuration, formatInteger, formatMicros, formatMillis, formatPercent, formatRatio, formatWholeMicros, passFail } from './format.js';

describe('formatters', () => {
  it('format figures the same way everywhere', () => {
    expect(formatInteger(12_345.6)).toBe('12,346');
    expect(formatMicros(1_534)).toBe('1.53 µs');
    expect(formatDuration(850)).toBe('0.85 µs');
    expect(formatDuration(33_694_500)).toBe('33.69 ms');
    expect(formatWholeMicros(84.6)).toBe('85 µs');
    expect(formatPercent(0.534)).toBe('53.4%');
    expect(formatRatio(1.234)).toBe('1.23×');
    expect(passFail(true)).toBe('PASS');
    expect(passFail(false)).toBe('FAIL');
  });

  it('never prints a misleading 0 ms for sub-millisecond latency', () => {
    expect(formatMillis(0)).toBe('< 1 ms');
    expect(formatMillis(1_234)).toBe('1,234 ms');
  });
});
