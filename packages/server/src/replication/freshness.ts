import { PerchError } from '@perch/protocol';

/**
 * How recently this replica proved that its in-memory verification state (revocations, keys,
 * origins) matches the store. A replica that cannot prove it for longer than `maxStalenessMs`
 * fails closed: serving on possibly stale state could accept a token revoked elsewhere.
 *
 * Time is monotonic (`performance.now()`), so wall-clock jumps can neither extend nor cut the
 * bound.
 *
 * @example
 * ```ts
 * const freshness = new Freshness(3_000);
 * freshness.confirm(performance.now());
 * freshness.assertFresh(); // throws PerchError('freshness_unknown') 3 s after the last confirm
 * ```
 */
export class Freshness {
  private confirmedAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly maxStalenessMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Record that every change committed before `at` (a `now()` reading) has been applied. */
  confirm(at: number): void {
    if (at > this.confirmedAt) this.confirmedAt = at;
  }

  /** Milliseconds since the last confirmation (Infinity before the first). */
  stalenessMs(): number {
    return this.now() - this.confirmedAt;
  }

  isFresh(): boolean {
    return this.stalenessMs() <= this.maxStalenessMs;
  }

  /** Throw `freshness_unknown` (503) unless the state was confirmed within the bound. */
  assertFresh(): void {
    const staleness = this.stalenessMs();
    if (staleness > this.maxStalenessMs) {
      throw new PerchError('freshness_unknown', {
        detail: Number.isFinite(staleness) ? `verification state last confirmed ${Math.round(staleness)} ms ago` : 'verification state never confirmed',
      });
    }
  }
}
