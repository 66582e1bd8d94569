import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Perch's Prometheus registry. One per process; every module registers its metrics here so
 * `/metrics` exposes them together.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'perch_process_' });

export const httpRequestDuration = new Histogram({
  name: 'perch_http_request_duration_seconds',
  help: 'HTTP request latency by route and status class',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

export const tokenVerifications = new Counter({
  name: 'perch_token_verifications_total',
  help: 'Embed-token verifications by outcome (ok, cached, or the refusal code)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const authFailuresThrottled = new Counter({
  name: 'perch_auth_failures_throttled_total',
  help: 'Requests refused with 429 because their client address had too many failed authentications (limits.authFailuresPerMinute), by route group',
  labelNames: ['group'] as const,
  registers: [metricsRegistry],
});
