import type { ClusterFixture } from './cluster.js';
import { mint } from './cluster.js';

export interface LoadOptions {
  urls: string[];
  users: number;
  durationMs: number;
  fixture: ClusterFixture;
}

export interface LoadResult {
  requests: number;
  byStatus: Record<number, number>;
  /** Responses that contained a canary of a tenant other than the caller's. */
  crossTenant: number;
  /** Responses whose rows did not all carry the caller's own canary. */
  foreignRows: number;
  latenciesMs: number[];
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
}

const CANARY = /canary-tenant_\d{3}-[0-9a-f]{12}/g;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Simulated embed users, spread round-robin over tenants and replicas, each looping over a mix
 * of dashboard-chart and ad-hoc queries. Every response body is scanned for canaries: a label
 * that belongs to any other tenant counts as a cross-tenant leak.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { fixture, urls } = options;
  const users = await Promise.all(
    Array.from({ length: options.users }, async (_, i) => {
      const tenant = fixture.tenants[i % fixture.tenants.length]!;
      const url = urls[i % urls.length]!;
      const { token } = await mint(url, { distinctId: `load-${i}`, tenant });
      return { tenant, url, token, own: fixture.canaries.get(tenant)! };
    }),
  );
  const result: LoadResult = { requests: 0, byStatus: {}, crossTenant: 0, foreignRows: 0, latenciesMs: [], p50Ms: 0, p99Ms: 0, requestsPerSecond: 0 };
  const bodies = [
    JSON.stringify({ dashboard: 'overview', chart: 'by_label' }),
    JSON.stringify({ dataset: 'events', measures: ['events', 'amount'], dimensions: ['label', 'region'] }),
    JSON.stringify({ dashboard: 'overview', chart: 'total' }),
    JSON.stringify({ dataset: 'events', measures: ['amount'], dimensions: ['label'], filters: [{ member: 'region', operator: 'equals', values: ['emea'] }] }),
  ];
  const started = performance.now();
  const deadline = started + options.durationMs;
  await Promise.all(
    users.map(async (user, u) => {
      for (let i = u; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const response = await fetch(`${user.url}/v1/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: bodies[i % bodies.length]!,
        });
        const text = await response.text();
        result.latenciesMs.push(performance.now() - t0);
        result.requests += 1;
        result.byStatus[response.status] = (result.byStatus[response.status] ?? 0) + 1;
        const canaries = text.match(CANARY) ?? [];
        if (canaries.some((c) => c !== user.own)) result.crossTenant += 1;
        if (response.status === 200) {
          const rows = (JSON.parse(text) as { rows: Record<string, unknown>[] }).rows;
          if (rows.some((row) => 'label' in row && row.label !== user.own)) result.foreignRows += 1;
        }
      }
    }),
  );
  const elapsed = performance.now() - started;
  const sorted = [...result.latenciesMs].sort((a, b) => a - b);
  result.p50Ms = percentile(sorted, 50);
  result.p99Ms = percentile(sorted, 99);
  result.requestsPerSecond = result.requests / (elapsed / 1000);
  return result;
}
