import { describe, expect, it } from 'vitest';
import { callsNeeded, median, microBench } from './micro-bench.js';

/** Spin for about `micros` µs; a deliberately slow operation with a known lower bound. */
function spin(micros: number): void {
  const end = process.hrtime.bigint() + BigInt(micros * 1000);
  while (process.hrtime.bigint() < end);
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('microBench', () => {
  it('gives every call its own index, warm-up included, in order', async () => {
    const seen: number[] = [];
    const options = { warmupIterations: 3, iterations: 4, rounds: 2 };
    const result = await microBench((call) => seen.push(call), options);
    expect(result.calls).toBe(callsNeeded(options));
    expect(seen).toEqual(Array.from({ length: 11 }, (_, i) => i));
    expect(result.roundsNsPerOp).toHaveLength(2);
  });

  it('reports the median round, and a slower operation measures slower', async () => {
    const options = { warmupIterations: 5, iterations: 20, rounds: 3 };
    const slow = await microBench(() => spin(200), options);
    const fast = await microBench(() => undefined, options);
    expect(slow.nsPerOp).toBeGreaterThanOrEqual(200_000);
    expect(slow.nsPerOp).toBe(median(slow.roundsNsPerOp));
    expect(fast.nsPerOp).toBeLessThan(slow.nsPerOp);
    expect(slow.opsPerSecond).toBeCloseTo(1e9 / slow.nsPerOp);
  });

  it('awaits an async operation before starting the next one', async () => {
    let running = 0;
    let most = 0;
    await microBench(
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      },
      { warmupIterations: 2, iterations: 10, rounds: 2 },
    );
    expect(most).toBe(1);
  });

  it('refuses empty plans', async () => {
    await expect(microBench(() => undefined, { iterations: 0 })).rejects.toThrow(RangeError);
    await expect(microBench(() => undefined, { rounds: 0 })).rejects.toThrow(RangeError);
  });
});
