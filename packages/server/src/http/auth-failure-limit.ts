import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LRUCache } from 'lru-cache';
import { PerchError } from '@perch/protocol';
import { authFailuresThrottled } from '../metrics.js';

/** Failed authentications from one client address, counted over a window of this length. */
const WINDOW_MS = 60_000;
/** Addresses remembered as throttled at once, at most (the oldest are forgotten first). */
const MAX_THROTTLED_ADDRESSES = 10_000;

/** The failed-authentication limit of one route group (see {@link authFailureLimit}). */
export interface AuthFailureLimit {
  /**
   * Whether the request's client address is throttled now: one lookup in memory, so it can run
   * before any credential is looked at.
   */
  isThrottled(request: FastifyRequest): boolean;
  /**
   * Refuse the request with 429 `rate_limited` (and `Retry-After`) because its client address is
   * throttled. Not audited one by one (see {@link authFailureLimit}).
   */
  refuse(request: FastifyRequest, group: 'api-key' | 'embed'): never;
  /**
   * Count a refused credential against the request's client address. Never rejects: counting is
   * best effort, and the refusal being answered must stay the one the client gets.
   */
  fail(request: FastifyRequest): Promise<void>;
}

/**
 * Throttle client addresses whose credentials keep failing: after `maxPerMinute` refused API
 * keys or embed tokens within a minute, the address is throttled until the minute is over.
 * While it is, a request from it gets 429 `rate_limited` before its credential is looked at,
 * unless that credential is one this process already knows to be good: an embed token in the
 * verifier's cache, or an API key that has authenticated before. The route group decides that
 * with a lookup in memory (no decryption, no store query for an unknown key).
 *
 * Why throttle: the per-credential rate limits count only requests that authenticated (Fastify
 * runs the limiter's route hook after the group's authentication hook), and a refused
 * credential is not free: it costs a key lookup or a decryption, and a durable audit event.
 * Without this, a flood of forged tokens would turn into a flood of audit writes. Throttled
 * requests are not audited one by one, for the same reason; the failures that tripped the limit
 * are, and `perch_auth_failures_throttled_total` counts the rest.
 *
 * Why known credentials still pass: behind a proxy without `trustProxy`, every tenant has the
 * proxy's address, and one tenant's broken script would otherwise lock all the others out. A
 * forged credential is never known, so the flood stays as cheap as before.
 *
 * Failures are counted in the route group's rate-limit store (Redis, shared by the replicas,
 * when `REDIS_URL` is set); each replica remembers the addresses it has seen go over the limit.
 *
 * @example
 * ```ts
 * const failures = authFailureLimit(scope, ctx.config.limits.authFailuresPerMinute);
 * scope.addHook('onRequest', async (request) => {
 *   if (failures.isThrottled(request) && !knownGood(request)) failures.refuse(request, 'embed');
 *   try { await verify(request); } catch (error) { await failures.fail(request); throw error; }
 * });
 * ```
 */
export function authFailureLimit(scope: FastifyInstance, maxPerMinute: number): AuthFailureLimit {
  // The group's own limiter store (registered on `scope` by @fastify/rate-limit), keyed apart
  // from the per-credential buckets.
  const countFailure = scope.createRateLimit({ max: maxPerMinute, timeWindow: WINDOW_MS, keyGenerator: (request) => `auth-failures:${request.ip}` });
  const throttledUntil = new LRUCache<string, number>({ max: MAX_THROTTLED_ADDRESSES });
  /** Milliseconds the request's address stays throttled; 0 when it is not. */
  const remainingMs = (request: FastifyRequest): number => {
    const until = throttledUntil.get(request.ip);
    if (until === undefined) return 0;
    const waitMs = until - Date.now();
    if (waitMs > 0) return waitMs;
    throttledUntil.delete(request.ip);
    return 0;
  };
  return {
    isThrottled: (request) => remainingMs(request) > 0,
    refuse(request, group) {
      authFailuresThrottled.inc({ group });
      // Not audited one by one (see above): the error handler skips audited requests.
      request.audited = true;
      const retryAfterSeconds = Math.max(1, Math.ceil(remainingMs(request) / 1000));
      throw new PerchError('rate_limited', { retryAfterSeconds, detail: `too many failed authentications from ${request.ip}` });
    },
    async fail(request) {
      try {
        const verdict = await countFailure(request);
        if (!verdict.isAllowed && verdict.isExceeded) throttledUntil.set(request.ip, Date.now() + verdict.ttl);
      } catch (error) {
        request.log.warn({ err: error }, 'could not count a failed authentication');
      }
    },
  };
}
