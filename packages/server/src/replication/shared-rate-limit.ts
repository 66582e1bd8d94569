import { Redis } from 'ioredis';

/**
 * The Redis client `@fastify/rate-limit` counts in when `REDIS_URL` is set, so every replica
 * shares one limit per key. Without it, limits are per replica.
 *
 * Redis errors must not take Perch down: the client reconnects by itself, and commands fail
 * fast instead of queueing while it is away (`enableOfflineQueue: false`), so a request never
 * hangs on a missing Redis.
 *
 * @example
 * ```ts
 * const redis = createRateLimitRedis(process.env.REDIS_URL!);
 * await app.register(rateLimit, { redis, max: 6000, timeWindow: 60_000 });
 * ```
 */
export function createRateLimitRedis(url: string): Redis {
  const redis = new Redis(url, {
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
  });
  redis.on('error', () => undefined);
  return redis;
}
