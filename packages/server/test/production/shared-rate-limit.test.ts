import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { createPerchContext } from '../../src/context.js';
import { buildApp, type PerchApp } from '../../src/app.js';
import { createRateLimitRedis } from '../../src/replication/shared-rate-limit.js';
import { openTestStore, type TestStore } from '../helpers/stores.js';
import { MemoryAuditSink } from '../helpers/memory-audit.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';

const REDIS_URL = process.env.PERCH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 10;

/** Two replicas over one PostgreSQL store, optionally counting rate limits in one Redis. */
describe('rate limits shared through Redis (REDIS_URL)', () => {
  let opened: TestStore;
  let redis: Redis;
  const apps: PerchApp[] = [];

  async function replica(shared: Redis | undefined): Promise<PerchApp> {
    const config = loadConfig({ env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY }, overrides: { logLevel: 'silent', limits: { apiKeyRatePerMinute: LIMIT } } });
    const ctx = await createPerchContext(config, { store: opened.store, logger: pino({ level: 'silent' }), createAudit: async () => new MemoryAuditSink() });
    const app = await buildApp(ctx, shared ? { rateLimitRedis: shared } : {});
    await app.ready();
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    opened = await openTestStore('postgres');
    redis = createRateLimitRedis(REDIS_URL);
    // A missing Redis fails the test instead of skipping it.
    if (redis.status !== 'ready') await new Promise<void>((resolve, reject) => {
      redis.once('ready', () => resolve());
      setTimeout(() => reject(new Error(`Redis unreachable at ${REDIS_URL}`)), 5_000);
    });
    expect(await redis.ping()).toBe('PONG');
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    redis?.disconnect();
    await opened?.dispose();
  });

  /** A key of its own, so counters left in Redis by other runs cannot interfere. */
  async function freshKey(app: PerchApp): Promise<string> {
    const response = await app.inject({ method: 'POST', url: '/v1/api-keys', headers: { 'x-api-key': TEST_ADMIN_KEY }, payload: { name: 'rate', env: 'test', scopes: ['admin'] } });
    expect(response.statusCode).toBe(201);
    return (response.json() as { key: string }).key;
  }

  async function spread(a: PerchApp, b: PerchApp, key: string): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 4; i++) {
      const app = i % 2 === 0 ? a : b;
      statuses.push((await app.inject({ method: 'GET', url: '/v1/workspace/origins', headers: { 'x-api-key': key } })).statusCode);
    }
    return statuses;
  }

  it('counts one key across both replicas when they share Redis', async () => {
    const a = await replica(redis);
    const b = await replica(redis);
    const statuses = await spread(a, b, await freshKey(a));
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.slice(-4).every((s) => s === 429)).toBe(true);
  });

  it('counts per replica without Redis', async () => {
    const a = await replica(undefined);
    const b = await replica(undefined);
    const statuses = await spread(a, b, await freshKey(a));
    expect(statuses.every((s) => s === 200)).toBe(true);
  });
});
