/** Number formatting shared by every benchmark, so RESULTS.md reads the same throughout. */

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `12345.6` → `"12,346"`. */
export function formatInteger(value: number): string {
  return grouped.format(value);
}

/** Nanoseconds as µs with two decimals: `1534` → `"1.53 µs"`. */
export function formatMicros(ns: number): string {
  return `${(ns / 1000).toFixed(2)} µs`;
}

/** Microseconds, whole: `84.6` → `"85 µs"` (CPU per request, read from /proc in 10 ms ticks). */
export function formatWholeMicros(us: number): string {
  return `${formatInteger(us)} µs`;
}

/**
 * Whole milliseconds as autocannon records them (its histogram resolution is 1 ms), so a
 * sub-millisecond latency reads `"< 1 ms"` rather than a misleading `"0 ms"`.
 */
export function formatMillis(ms: number): string {
  return ms < 1 ? '< 1 ms' : `${formatInteger(ms)} ms`;
}

/** A per-operation time in the unit that reads best: `850` → `"0.85 µs"`, `33_694_500` → `"33.69 ms"`. */
export function formatDuration(ns: number): string {
  return ns >= 1_000_000 ? `${(ns / 1_000_000).toFixed(2)} ms` : formatMicros(ns);
}

/** `0.534` → `"53.4%"`. */
export function formatPercent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** `1.234` → `"1.23×"`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

export function passFail(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}
