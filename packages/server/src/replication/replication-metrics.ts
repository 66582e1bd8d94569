import { Counter, Gauge } from 'prom-client';
import type pg from 'pg';
import { metricsRegistry } from '../metrics.js';

export const replicationNotices = new Counter({
  name: 'perch_replication_notices_total',
  help: 'Change notices received from PostgreSQL, by table',
  labelNames: ['table'] as const,
  registers: [metricsRegistry],
});

export const replicationResyncs = new Counter({
  name: 'perch_replication_resyncs_total',
  help: 'Full reloads of the verification state (periodic, and after each reconnect)',
  registers: [metricsRegistry],
});

const stalenessSources = new Set<() => number>();

/** Largest staleness of any running replica sync in this process (normally exactly one). */
new Gauge({
  name: 'perch_replication_staleness_seconds',
  help: 'Seconds since this replica last confirmed its revocations, keys and origins match the store',
  registers: [metricsRegistry],
  collect() {
    let worst = 0;
    for (const source of stalenessSources) worst = Math.max(worst, source());
    this.set(Number.isFinite(worst) ? worst / 1000 : -1);
  },
});

/** Report a staleness source at scrape time; returns the function that stops reporting it. */
export function observeStaleness(stalenessMs: () => number): () => void {
  stalenessSources.add(stalenessMs);
  return () => stalenessSources.delete(stalenessMs);
}

const pools = new Map<string, pg.Pool>();

/**
 * Connection-pool usage, read from `pg.Pool` counters when Prometheus scrapes, so nothing runs
 * on the request path.
 */
new Gauge({
  name: 'perch_pool_connections',
  help: 'PostgreSQL pool connections by pool and state (total, idle, waiting clients)',
  labelNames: ['pool', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [name, pool] of pools) {
      this.set({ pool: name, state: 'total' }, pool.totalCount);
      this.set({ pool: name, state: 'idle' }, pool.idleCount);
      this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
    }
  },
});

/**
 * Expose a pool's usage on `/metrics` under `name` (e.g. `store`, `warehouse`).
 *
 * @example
 * ```ts
 * const stop = observePool('store', store.pool);
 * // on shutdown
 * stop();
 * ```
 */
export function observePool(name: string, pool: pg.Pool): () => void {
  pools.set(name, pool);
  return () => {
    if (pools.get(name) === pool) pools.delete(name);
  };
}
