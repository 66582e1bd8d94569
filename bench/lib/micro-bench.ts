/** One operation; `call` counts every invocation from 0 (warm-up included), so each can use a fresh input. */
export type Operation = (call: number) => unknown;

export interface MicroBenchOptions {
  /** Untimed calls first, so the JIT has compiled the hot path (default 1,000). */
  warmupIterations?: number;
  /** Timed calls per round (default 10,000). */
  iterations?: number;
  /** Timed rounds; the median round is reported (default 7). */
  rounds?: number;
}

export interface MicroBenchResult {
  /** Median over rounds of the per-call time. */
  nsPerOp: number;
  /** Operations per second at the median. */
  opsPerSecond: number;
  /** Every round's ns/op, in order, to show the spread. */
  roundsNsPerOp: number[];
  /** Total calls made, warm-up included (how many fresh inputs a pool must hold). */
  calls: number;
}

/** How many inputs a pool must hold for `microBench` to give every call its own. */
export function callsNeeded(options: MicroBenchOptions = {}): number {
  const { warmupIterations, iterations, rounds } = withDefaults(options);
  return warmupIterations + iterations * rounds;
}

/**
 * Time an in-process operation: warm up, then several timed rounds, and report the median.
 *
 * The median over rounds (rather than the mean) is what makes figures usable on a shared
 * machine: one round disturbed by a neighbour's burst moves the mean but not the median.
 * Promises are awaited one at a time, so an async operation is timed end to end, never overlapped.
 *
 * @example
 * ```ts
 * const { nsPerOp } = await microBench(() => JSON.parse('{"a":1}'), { iterations: 50_000 });
 * ```
 */
export async function microBench(operation: Operation, options: MicroBenchOptions = {}): Promise<MicroBenchResult> {
  const { warmupIterations, iterations, rounds } = withDefaults(options);
  let call = 0;
  for (let i = 0; i < warmupIterations; i++) {
    const pending = operation(call++);
    if (pending instanceof Promise) await pending;
  }
  const roundsNsPerOp: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      // Await only real promises: awaiting a plain value would add a microtask tick to every sync call.
      const pending = operation(call++);
      if (pending instanceof Promise) await pending;
    }
    roundsNsPerOp.push(Number(process.hrtime.bigint() - start) / iterations);
  }
  const nsPerOp = median(roundsNsPerOp);
  return { nsPerOp, opsPerSecond: 1e9 / nsPerOp, roundsNsPerOp, calls: call };
}

/** The middle value (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function withDefaults(options: MicroBenchOptions): Required<MicroBenchOptions> {
  const resolved = { warmupIterations: options.warmupIterations ?? 1_000, iterations: options.iterations ?? 10_000, rounds: options.rounds ?? 7 };
  if (!Number.isInteger(resolved.iterations) || resolved.iterations < 1) throw new RangeError('iterations must be a positive integer');
  if (!Number.isInteger(resolved.rounds) || resolved.rounds < 1) throw new RangeError('rounds must be a positive integer');
  if (!Number.isInteger(resolved.warmupIterations) || resolved.warmupIterations < 0) throw new RangeError('warmupIterations must be a non-negative integer');
  return resolved;
}
