import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClusterFixture, startReplica, type ClusterFixture, type Replica } from './cluster.js';
import { runLoad } from './load-driver.js';

/**
 * The full 60 s by default; `PERCH_LOAD_SECONDS` shortens it for local iteration.
 */
const SECONDS = Math.min(Math.max(Number(process.env.PERCH_LOAD_SECONDS ?? 60), 1), 60);

describe(`load: 200 simulated users over 50 tenants on two replicas for ${SECONDS} s`, () => {
  let fixture: ClusterFixture;
  let replicas: Replica[] = [];

  beforeAll(async () => {
    fixture = await createClusterFixture('prod_load', { tenants: 50, rowsPerTenant: 30 });
    replicas = [await startReplica(fixture), await startReplica(fixture)];
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await fixture?.dispose();
  });

  it('returns zero cross-tenant rows and zero 5xx', { timeout: (SECONDS + 120) * 1000 }, async () => {
    const result = await runLoad({ urls: replicas.map((r) => r.url), users: 200, durationMs: SECONDS * 1000, fixture });
    console.log(
      `load: ${result.requests} requests in ${SECONDS} s (${result.requestsPerSecond.toFixed(0)} req/s), p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, statuses ${JSON.stringify(result.byStatus)}`,
    );
    expect(result.requests).toBeGreaterThan(200);
    expect(result.crossTenant).toBe(0);
    expect(result.foreignRows).toBe(0);
    expect(Object.keys(result.byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(result.byStatus[200]).toBe(result.requests);
    expect(replicas.every((r) => !r.exited())).toBe(true);
  });
});
