/** A per-user sliding-window limit on assistant questions (planning and queries are costly). */
import { PerchError } from '@perch/protocol';

/**
 * @example
 * ```ts
 * const limiter = new QuestionRateLimiter(30, () => Date.now());
 * limiter.take('default\u0000alice'); // throws PerchError('rate_limited') on the 31st question in a minute
 * ```
 */
export class QuestionRateLimiter {
  readonly #windows = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  take(key: string): void {
    const now = this.now();
    const recent = (this.#windows.get(key) ?? []).filter((t) => now - t < 60_000);
    if (recent.length >= this.perMinute) {
      this.#windows.set(key, recent);
      throw new PerchError('rate_limited', { retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000)), message: 'Too many questions; try again shortly.' });
    }
    recent.push(now);
    this.#windows.set(key, recent);
    // Keep the map from growing without bound: forget idle users now and then.
    if (this.#windows.size > 10_000) for (const [k, times] of this.#windows) if (times.every((t) => now - t >= 60_000)) this.#windows.delete(k);
  }
}
