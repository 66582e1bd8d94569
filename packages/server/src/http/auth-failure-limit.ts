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
   * Refuse the request with 429 `rate_limited` (and `Retry-After`) when its client address is
   * throttled. Call it before any credential is looked at.
   */
  check(request: FastifyRequest, group: 'api-key' | 'embed'): void;
  /**
   * Count a refused credential against the request's client address. Never rejects: counting is
   * best effort, and the refusal being answered must stay the one the client gets.
   */
  fail(request: FastifyRequest): Promise<void>;
}

/**
 * Throttle client addresses whose credentials keep failing: after `maxPerMinute` refused API
 * keys or embed tokens within a minute, every request from that address gets 429
 * `rate_limited` until the minute is over, before any credential is checked.
 *
 * Why: the per-credential rate limits count only requests that authenticated (Fastify runs the
 * limiter's route hook after the group's authentication hook), and a refused credential is not
 * free: it costs a key lookup or a decryption, and a durable audit event. Without this, a flood
 * of forged tokens would turn into a flood of audit writes. Throttled requests are not audited
 * one by one, for the same reason; the failures that tripped the limit are, and
 * `perch_auth_failures_throttled_total` counts the rest.
 *
 * Failures are counted in the route group's rate-limit store (Redis, shared by the replicas,
 * when `REDIS_URL` is set); each replica remembers the addresses it has seen go over the limit.
 * Behind a reverse proxy, set `trustProxy`, or every client has the proxy's address.
 *
 * @example
 * ```ts
 * const failures = authFailureLimit(scope, ctx.config.limits.authFailuresPerMinute);
 * scope.addHook('onRequest', async (request) => {
 *   failures.check(request, 'embed');
 *   try { await verify(request); } catch (error) { await failures.fail(request); throw error; }
 * });
 * ```
 */
export function authFailureLimit(scope: FastifyInstance, maxPerMinute: number): AuthFailureLimit {
  // The group's own limiter store (registered on `scope` by @fastify/rate-limit), keyed apart
  // from the per-credential buckets.
  const countFailure = scope.createRateLimit({ max: maxPerMinute, timeWindow: WINDOW_MS, keyGenerator: (request) => `auth-failures:${request.ip}` });
  const throttledUntil = new LRUCache<string, number>({ max: MAX_THROTTLED_ADDRESSES });
  return {
    check(request, group) {
      const until = throttledUntil.get(request.ip);
      if (until === undefined) return;
      const waitMs = until - Date.now();
      if (waitMs <= 0) {
        throttledUntil.delete(request.ip);
        return;
      }
      authFailuresThrottled.inc({ group });
      // Not audited one by one (see above): the error handler skips audited requests.
      request.audited = true;
      throw new PerchError('rate_limited', { retryAfterSeconds: Math.ceil(waitMs / 1000), detail: `too many failed authentications from ${request.ip}` });
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
