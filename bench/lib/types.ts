/**
 * The contract between `bench/run.ts` and each `bench/<name>.bench.ts`: a benchmark is a default
 * export `run(options) => Promise<BenchReport>`, and the harness owns printing and RESULTS.md.
 */

/** Options every benchmark receives; parsed once by the harness from `--key=value` flags. */
export interface BenchOptions {
  /** Measured seconds per HTTP scenario (`--duration`, default 10). */
  durationSeconds: number;
  /** Concurrent HTTP connections (`--connections`, default 10). */
  connections: number;
  /** Timed rounds per in-process micro-benchmark; the median is reported (`--rounds`, default 7). */
  rounds: number;
  /** Progress lines go here (stderr), so stdout stays the result table. */
  log(message: string): void;
  /** Every raw `--key[=value]` flag, for benchmark-specific options. */
  flags: Readonly<Record<string, string | true>>;
}

/** One table of figures; cells are preformatted strings so each benchmark picks its own units. */
export interface BenchTable {
  caption: string;
  headers: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
}

/** A target from an issue, checked against this run's figures. */
export interface BenchTarget {
  /** What is promised, in words, e.g. "cached verification ≤ 5 µs". */
  name: string;
  /** The figure this run measured, formatted. */
  measured: string;
  pass: boolean;
}

export interface BenchReport {
  title: string;
  tables: readonly BenchTable[];
  targets: readonly BenchTarget[];
  /** Short sentences on how to read the figures (methodology, caveats). */
  notes?: readonly string[];
}

/** The shape of a `bench/<name>.bench.ts` module. */
export type BenchModule = { default: (options: BenchOptions) => Promise<BenchReport> };
