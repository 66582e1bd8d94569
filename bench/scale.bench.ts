/**
 * Scale-out: throughput of the same governed-query workload against one Perch replica and
 * against two replicas sharing one PostgreSQL store, each replica a separate process. The
 * scaling ratio is bounded by the machine: client, replicas and PostgreSQL share its cores.
 */
import { availableParallelism } from 'node:os';
import { runAutocannon, type HttpFigures } from './lib/autocannon-runner.js';
import { formatInteger, formatMillis, formatRatio } from './lib/format.js';
import type { BenchOptions, BenchReport } from './lib/types.js';
import { createClusterFixture, mint, startReplica, type Replica } from '../packages/server/test/production/cluster.js';

const QUERY = JSON.stringify({ dataset: 'events', measures: ['events', 'amount'], dimensions: ['label', 'region'] });

/** Two autocannon clients (half the connections each), one per target URL; figures summed. */
async function measure(targets: [string, string][], options: BenchOptions): Promise<HttpFigures> {
  const runs = await Promise.all(
    targets.map(([url, token]) =>
      runAutocannon({
        url: `${url}/v1/query`,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: QUERY,
        connections: Math.max(1, Math.round(options.connections / targets.length)),
        durationSeconds: options.durationSeconds,
      }),
    ),
  );
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  return {
    requestsPerSecond: runs.reduce((n, r) => n + r.requestsPerSecond, 0),
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p975Ms: Math.max(...runs.map((r) => r.p975Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    meanMs: runs.reduce((n, r) => n + r.meanMs * r.requests, 0) / requests,
    requests,
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const fixture = await createClusterFixture('bench_scale', {
    tenants: 2,
    rowsPerTenant: 200,
    config: 'limits: { apiKeyRatePerMinute: 1000000000, tokenRatePerMinute: 1000000000 }\nlogLevel: silent\n',
  });
  const replicas: Replica[] = [];
  try {
    options.log('starting two replicas on one PostgreSQL store');
    replicas.push(await startReplica(fixture));
    replicas.push(await startReplica(fixture));
    const [a, b] = replicas as [Replica, Replica];
    const tokenA = (await mint(a.url, { distinctId: 'bench-a', tenant: fixture.tenants[0]! })).token;
    const tokenB = (await mint(b.url, { distinctId: 'bench-b', tenant: fixture.tenants[1]! })).token;
    options.log('one replica');
    const one = await measure([[a.url, tokenA], [a.url, tokenB]], options);
    options.log('two replicas');
    const two = await measure([[a.url, tokenA], [b.url, tokenB]], options);
    const ratio = two.requestsPerSecond / one.requestsPerSecond;
    const cores = availableParallelism();
    const row = (label: string, f: HttpFigures) => [label, formatInteger(f.requestsPerSecond), formatMillis(f.p50Ms), formatMillis(f.p99Ms), formatInteger(f.non2xx)];
    return {
      title: 'scale: one vs two replicas on PostgreSQL',
      tables: [
        {
          caption: `POST /v1/query (audited, RLS), ${options.connections} connections in total, ${options.durationSeconds} s after a 2 s warm-up, ${cores} cores`,
          headers: ['replicas', 'req/s', 'p50', 'p99', 'non-2xx'],
          rows: [row('1', one), row('2', two)],
        },
        { caption: 'Scaling', headers: ['figure', 'value'], rows: [['2 replicas / 1 replica', formatRatio(ratio)], ['cores', String(cores)]] },
      ],
      targets: [{ name: 'two replicas serve at least as much as one', measured: formatRatio(ratio), pass: ratio >= 1 }],
      notes: [
        'Each replica is its own Node.js process; the load generator and PostgreSQL run on the same machine, so the ratio is capped by the cores left to the replicas.',
        'Both runs use the same two tokens and connection split; the one-replica run points both clients at replica 1.',
      ],
    };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await fixture.dispose();
  }
}
