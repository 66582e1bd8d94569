/**
 * The compile memo: what remembering compiled queries per (user, query) is worth to result-cache
 * hits, the one case where compiling is a visible share of a request.
 *
 * Two Perch instances over the same small DuckDB demo warehouse, each with the real audit trail:
 * one with `limits.compileMemoEntries` at its default, one with it at 0 (every request compiles).
 * Both answer the identical query from the result cache. They are measured in alternated rounds
 * (on, off, off, on, …) so the drift of a shared machine favours neither. The same comparison is
 * made in process on `QueryService.run` alone, where the memo's share is the largest it can be.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../packages/engine/src/index.js';
import { createConnector } from '../packages/server/src/connectors/index.js';
import { generateDemoWarehouse } from '../packages/server/src/demo/index.js';
import { QueryService } from '../packages/server/src/query/index.js';
import { poolRuns, runAutocannon, type HttpFigures } from './lib/autocannon-runner.js';
import { formatInteger, formatMicros, formatPercent } from './lib/format.js';
import { microBench, type MicroBenchResult } from './lib/micro-bench.js';
import { startBenchPerch, type BenchPerch } from './lib/perch-instance.js';
import type { BenchOptions, BenchReport } from './lib/types.js';

const ROUNDS = 4;
const TENANT = { customerId: 'acme', department: 'finance' };
const BODY = JSON.stringify({
  dataset: 'orders',
  measures: ['revenue', 'orders'],
  dimensions: ['region'],
  filters: [
    { member: 'channel', operator: 'in', values: ['web', 'store'] },
    { member: 'status', operator: 'notEquals', values: ['none'] },
  ],
});
/** Worth keeping only above this share of hit throughput. */
const THRESHOLD = 0.1;

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const limits = { tokenRatePerMinute: 1_000_000_000, apiKeyRatePerMinute: 1_000_000_000 };
  const on = await startWithToken({ limits });
  const off = await startWithToken({ limits: { ...limits, compileMemoEntries: 0 } });
  const ons: HttpFigures[] = [];
  const offs: HttpFigures[] = [];
  try {
    const loadFor = (perch: { bench: BenchPerch; token: string }) => ({
      url: `${perch.bench.url}/v1/query`,
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${perch.token}` },
      body: BODY,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      warmupSeconds: 0,
    });
    options.log('warming up both instances');
    await runAutocannon({ ...loadFor(on), durationSeconds: 5 });
    await runAutocannon({ ...loadFor(off), durationSeconds: 5 });
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? [on, off] : [off, on];
      for (const perch of order) {
        options.log(`memo ${perch === on ? 'on' : 'off'} (round ${round} of ${ROUNDS})`);
        (perch === on ? ons : offs).push(await runAutocannon(loadFor(perch)));
      }
    }
  } finally {
    await on.bench.close();
    await off.bench.close();
  }
  options.log('in process: QueryService.run cache hits, memo on and off, alternated');
  const service = await measureService(options);

  const httpOn = poolRuns(ons);
  const httpOff = poolRuns(offs);
  const httpGain = httpOn.requestsPerSecond / httpOff.requestsPerSecond - 1;
  const serviceGain = service.off.nsPerOp / service.on.nsPerOp - 1;
  return {
    title: 'compile-memo: result-cache hits with and without the compile memo',
    tables: [
      {
        caption: `HTTP POST /v1/query, cache hits (autocannon, ${options.connections} connections, ${ROUNDS} alternated rounds of ${options.durationSeconds} s each, pooled)`,
        headers: ['scenario', 'req/s', 'per round'],
        rows: [
          ['memo on (default, 1,000 entries)', formatInteger(httpOn.requestsPerSecond), ons.map((f) => formatInteger(f.requestsPerSecond)).join(' / ')],
          ['memo off (compile every request)', formatInteger(httpOff.requestsPerSecond), offs.map((f) => formatInteger(f.requestsPerSecond)).join(' / ')],
          ['memo on ÷ off − 1', formatPercent(httpGain), ons.map((f, i) => formatPercent(f.requestsPerSecond / offs[i]!.requestsPerSecond - 1)).join(' / ')],
        ],
      },
      {
        caption: `In process: QueryService.run answered from the result cache (median of ${options.rounds} rounds, alternated)`,
        headers: ['scenario', 'per op', 'ops/s'],
        rows: [
          ['memo on', formatMicros(service.on.nsPerOp), formatInteger(service.on.opsPerSecond)],
          ['memo off', formatMicros(service.off.nsPerOp), formatInteger(service.off.opsPerSecond)],
          ['memo on ÷ off − 1 (throughput)', formatPercent(serviceGain), ''],
        ],
      },
    ],
    targets: [{ name: `the memo is worth > ${formatPercent(THRESHOLD)} of HTTP hit throughput (else it goes)`, measured: formatPercent(httpGain), pass: httpGain > THRESHOLD }],
    notes: [
      'Both instances have the real audit trail and the same limits; only limits.compileMemoEntries differs. The body is one fixed query, so every request after the first is a result-cache hit on both.',
      'In process: one QueryService per setting over one DuckDB connector, rounds of 2,000 calls alternated between the two; the figure leaves out HTTP, token verification and the audit event, so it is the most the memo could ever be worth.',
    ],
  };
}

async function startWithToken(config: Record<string, unknown>): Promise<{ bench: BenchPerch; token: string }> {
  const bench = await startBenchPerch({ config });
  try {
    const response = await fetch(`${bench.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
      body: JSON.stringify({ user: { distinctId: 'bench', role: 'explorer', attributes: TENANT }, ttlSeconds: 3_600 }),
    });
    if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    return { bench, token };
  } catch (error) {
    await bench.close();
    throw error;
  }
}

async function measureService(options: BenchOptions): Promise<{ on: MicroBenchResult; off: MicroBenchResult }> {
  const path = join(tmpdir(), `perch-bench-compile-memo-${process.pid}.duckdb`);
  await generateDemoWarehouse({ path, orders: 1_000 });
  const connector = await createConnector({ type: 'duckdb', path, readOnly: true });
  try {
    const model = await loadModel(join(import.meta.dirname, '..', 'model'));
    const base = { maxRows: 50_000, defaultRows: 1_000, queryTimeoutMs: 30_000, resultCacheEntries: 100, resultCacheTtlMs: 600_000 };
    const services = { on: new QueryService({ model, connector, limits: base }), off: new QueryService({ model, connector, limits: { ...base, compileMemoEntries: 0 } }) };
    const claims = { iss: 'perch', aud: 'default', sub: 'bench', jti: 'bench', iat: 0, nbf: 0, exp: 0, env: 'test' as const, kid_api: 'bench', user: { distinctId: 'bench', role: 'explorer' as const, attributes: TENANT }, scope: { dashboards: [] as string[], assistant: false } };
    // A parsed body as the route sees it: a fresh object per request, as JSON.parse gives.
    const rounds: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let round = 0; round < options.rounds; round++) {
      for (const name of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const result = await microBench(() => services[name].run(claims, JSON.parse(BODY)), { warmupIterations: 500, iterations: 2_000, rounds: 1 });
        rounds[name].push(result.nsPerOp);
      }
    }
    const summarize = (values: number[]): MicroBenchResult => {
      const sorted = [...values].sort((a, b) => a - b);
      const nsPerOp = sorted[sorted.length >> 1]!;
      return { nsPerOp, opsPerSecond: 1e9 / nsPerOp, roundsNsPerOp: values, calls: 0 };
    };
    return { on: summarize(rounds.on), off: summarize(rounds.off) };
  } finally {
    await connector.close();
    await rm(path, { force: true });
  }
}
