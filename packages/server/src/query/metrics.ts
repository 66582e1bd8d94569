/**
 * Prometheus metrics of the governed query path, on their own registry so the `/metrics` route
 * can merge it with others and tests can read it without global state from other modules.
 */
import { Counter, Registry } from 'prom-client';

export const queryMetricsRegistry = new Registry();

export const queryCacheHits = new Counter({
  name: 'perch_query_cache_hits_total',
  help: 'Governed queries answered from the in-process result cache (including coalesced waits).',
  registers: [queryMetricsRegistry],
});

export const queryCacheMisses = new Counter({
  name: 'perch_query_cache_misses_total',
  help: 'Governed queries that executed on the warehouse.',
  registers: [queryMetricsRegistry],
});
