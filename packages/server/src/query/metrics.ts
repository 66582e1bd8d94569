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

export const compileMemoHits = new Counter({
  name: 'perch_query_compile_memo_hits_total',
  help: 'Governed queries whose compiled SQL was remembered for the same user and query (validation, planning and RLS transform skipped).',
  registers: [queryMetricsRegistry],
});

export const compileMemoMisses = new Counter({
  name: 'perch_query_compile_memo_misses_total',
  help: 'Governed queries compiled from scratch (first time for this user and query, a relative date range, or a refusal).',
  registers: [queryMetricsRegistry],
});
