/**
 * Governed queries: `POST /v1/query` (token verification, RLS compile, execution, durable audit)
 * against the same aggregate as raw SQL with a hand-written tenant predicate on the same
 * connector, and against a bare Fastify route. DuckDB, PostgreSQL and MariaDB at 1M orders (DuckDB
 * also at 10M with `--large`; `--no-duckdb`, `--no-postgres` and `--no-mysql` leave one out).
 *
 * Misses put a unique value into a filter of every request (autocannon's `[<id>]`), so neither
 * the result cache nor single-flight can answer: each request compiles and executes. The raw
 * route does the same with the same unique value, so both sides do identical database work.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { sealGoverned } from '../packages/engine/src/governed.js';
import { createConnector, type Connector, type ConnectorConfig } from '../packages/server/src/connectors/index.js';
import { generateDemoWarehouse, loadDemoIntoMysql, loadDemoIntoPostgres } from '../packages/server/src/demo/index.js';
import { poolRuns, runAutocannon, type HttpFigures } from './lib/autocannon-runner.js';
import { startBareRoute } from './lib/bare-route.js';
import { startGovernedFloor, type GovernedFloor } from './lib/governed-floor.js';
import { startBenchPerch, type BenchPerch } from './lib/perch-instance.js';
import { formatInteger, formatMicros, formatMillis, formatPercent, formatRatio, formatWholeMicros } from './lib/format.js';
import { microBench, type MicroBenchResult } from './lib/micro-bench.js';
import { processCpuMicros } from './lib/cpu-usage.js';
import { chainHashFloor, storeRowFloor } from './lib/audit-floor.js';
import { loadModel } from '../packages/engine/src/index.js';
import { QueryService } from '../packages/server/src/query/index.js';
import type { BenchOptions, BenchReport, BenchTarget } from './lib/types.js';

/**
 * Targets against floors measured in the same run: misses against the same raw SQL on the same
 * connector; hits against the governed floor (token verification plus the cached
 * `QueryService.run` and its durable audit event, with no HTTP layer), so that what they judge
 * is Perch's own overhead, not the machine. (Hits against a bare route returning a constant are
 * retired: no governed answer can approach a route that does nothing.)
 */
const TARGETS = { missLatencyRatio: 1.1, missShareOfRaw: 0.9, hitShareOfGovernedFloor: 0.8 } as const;
const TENANT = { customerId: 'acme', department: 'finance' };
const DATA_DIR = join(tmpdir(), 'perch-bench-query');
const PG_URL = process.env.PERCH_BENCH_DATABASE_URL ?? process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PG_SCHEMA = 'perch_bench_query';
const MYSQL_URL = process.env.PERCH_BENCH_MYSQL_URL ?? process.env.PERCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const MYSQL_DATABASE = 'perch_bench_query';

/** The semantic query; `[<id>]` becomes a unique channel that no row has (a miss that still scans the tenant). */
const semanticBody = (unique: boolean) =>
  JSON.stringify({
    dataset: 'orders',
    measures: ['revenue', 'orders'],
    dimensions: ['region'],
    filters: [
      { member: 'channel', operator: 'in', values: ['web', 'store'] },
      { member: 'status', operator: 'notEquals', values: [unique ? '[<id>]' : 'none'] },
    ],
  });

/** The same aggregate, written by hand with the tenant predicate, as an analyst would. */
const RAW_SQL = `SELECT region, SUM(amount) AS revenue, COUNT(*) AS orders FROM orders
  WHERE customer_id = $1 AND channel IN ($2, $3) AND status <> $4 GROUP BY region ORDER BY region LIMIT 1000`;
/** MySQL binds by position with `?`; the placeholders above are already in order. */
const rawSqlFor = (dialect: string): string => (dialect === 'mysql' ? RAW_SQL.replace(/\$\d+/g, '?') : RAW_SQL);

interface ConnectorFigures {
  label: string;
  raw: HttpFigures;
  miss: HttpFigures;
  /** The bare route in the rounds alternated with the hits, pooled: the hits' floor. */
  bare: HttpFigures;
  hit: HttpFigures;
  /** Hits/bare throughput of each alternated round, in order. */
  hitShares: number[];
  /** Attribution only: the same hits on a Perch whose audit sink is a no-op. */
  hitNoAudit: HttpFigures;
  /** Attribution only: the same hits on the governed floor (see `startGovernedFloor`). */
  floor: HttpFigures;
  /** Attribution only: the governed floor over the no-op audit sink (the floor of everything but the trail). */
  floorNoAudit: HttpFigures;
  /** Governed/raw throughput of each alternated miss round, in order. */
  roundShares: number[];
  /** In process: `QueryService.run` answered from the cache (compile + key + lookup). */
  serviceHit: MicroBenchResult;
  /** CPU of this process per request (µs), pooled over the runs: bare rounds, hit rounds, hits with the no-op audit, the floor, the floor with the no-op audit. */
  cpu: { bare: number; hit: number; hitNoAudit: number; floor: number; floorNoAudit: number };
}

/** Process CPU (Perch or the bare route, and the load generator's worker thread) per request of one run. */
async function withCpu(run: () => Promise<HttpFigures>): Promise<{ figures: HttpFigures; cpuMicros: number }> {
  const before = processCpuMicros();
  const figures = await run();
  return { figures, cpuMicros: processCpuMicros() - before };
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  mkdirSync(DATA_DIR, { recursive: true });
  const load = { connections: options.connections, durationSeconds: options.durationSeconds, warmupSeconds: WARMUP_SECONDS };

  const bareRoute = await startBareRoute();
  let bare: HttpFigures;
  try {
    options.log('HTTP: bare Fastify route');
    bare = await runAutocannon({ ...load, url: `${bareRoute.url}/v1/query`, method: 'POST', headers: { 'content-type': 'application/json' }, body: semanticBody(false) });
  } finally {
    await bareRoute.close();
  }

  // Perch's own floor: every plugin a Perch request passes (security headers, CORS, rate limits,
  // request ids, logging, metrics) around a route that does no work. No governed route can beat it.
  options.log('HTTP: Perch GET /healthz (every plugin, no work)');
  const perchFloor = await withPerch({}, (perch) => runAutocannon({ ...load, url: `${perch.url}/healthz` }));

  const results: ConnectorFigures[] = [];
  const sizes = options.flags.large ? [1_000_000, 10_000_000] : [1_000_000];
  for (const orders of sizes) {
    const path = join(DATA_DIR, `warehouse-${orders}.duckdb`);
    options.log(`DuckDB: demo warehouse with ${formatInteger(orders)} orders (generated once, reused)`);
    await generateDemoWarehouse({ path, orders });
    if (options.flags['no-duckdb']) continue;
    results.push(await measureConnector(`DuckDB, ${formatInteger(orders)} orders`, { type: 'duckdb', path, readOnly: true }, { type: 'duckdb', path, demo: false }, options, orders >= SLOW_QUERY_ORDERS));
  }
  if (!options.flags['no-postgres']) {
    options.log(`PostgreSQL: loading 1M orders into schema ${PG_SCHEMA} (skipped when already loaded)`);
    await loadDemoIntoPostgres({ url: PG_URL, schema: PG_SCHEMA, sourcePath: join(DATA_DIR, 'warehouse-1000000.duckdb'), orders: 1_000_000 });
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${PG_SCHEMA}`)}`;
    results.push(await measureConnector('PostgreSQL, 1,000,000 orders', { type: 'postgres', url, poolSize: 10 }, { type: 'postgres', url, poolSize: 10 }, options, true));
  }
  if (!options.flags['no-mysql']) {
    const target = new URL(MYSQL_URL);
    target.pathname = `/${MYSQL_DATABASE}`;
    const url = target.toString();
    options.log(`MariaDB/MySQL: loading 1M orders into database ${MYSQL_DATABASE} (skipped when already loaded)`);
    await loadDemoIntoMysql({ url, sourcePath: join(DATA_DIR, 'warehouse-1000000.duckdb'), orders: 1_000_000 });
    results.push(await measureConnector('MariaDB, 1,000,000 orders', { type: 'mysql', url, poolSize: 10 }, { type: 'mysql', url, poolSize: 10 }, options, true));
  }

  // Every Perch here keeps its audit trail in the embedded store.
  options.log('the audit trail\'s floor per event (embedded store row insert, chain hash)');
  const auditFloor = (await storeRowFloor({ kind: 'embedded', rowsPerStatement: options.connections })).microsPerRow + (await chainHashFloor(options.rounds));
  const cpuRows = results.map((r) => {
    const ceiling = r.cpu.bare / (r.cpu.hitNoAudit + auditFloor);
    const floorCeiling = r.cpu.bare / (r.cpu.floorNoAudit + auditFloor);
    return [r.label, formatWholeMicros(r.cpu.bare), formatWholeMicros(r.cpu.hit), formatWholeMicros(r.cpu.hitNoAudit), formatWholeMicros(r.cpu.floor), formatWholeMicros(r.cpu.floorNoAudit), formatWholeMicros(auditFloor), formatPercent(ceiling), formatPercent(floorCeiling)];
  });
  const row = (label: string, f: HttpFigures, relative: string) => [label, formatInteger(f.requestsPerSecond), formatMillis(f.p50Ms), formatMillis(f.p99Ms), relative];
  const targets: BenchTarget[] = [];
  const local: string[][] = [];
  const rows: string[][] = [
    row("bare Fastify route, constant (the /healthz row's floor)", bare, '100.0% of bare'),
    row("Perch GET /healthz: every plugin, no work (Perch's floor)", perchFloor, `${formatPercent(perchFloor.requestsPerSecond / bare.requestsPerSecond)} of bare`),
  ];
  for (const r of results) {
    const latencyRatio = r.miss.meanMs / r.raw.meanMs;
    const missShare = r.miss.requestsPerSecond / r.raw.requestsPerSecond;
    const hitShare = r.hit.requestsPerSecond / r.bare.requestsPerSecond;
    const hitShareOfFloor = r.hit.requestsPerSecond / r.floor.requestsPerSecond;
    rows.push(
      row(`${r.label}: raw SQL + tenant predicate (database floor)`, r.raw, '100.0% of raw'),
      row(`${r.label}: POST /v1/query, cache miss`, r.miss, `${formatPercent(missShare)} of raw, mean latency ${formatRatio(latencyRatio)}`),
      row(`${r.label}: bare Fastify route, alternated with the hits (their floor)`, r.bare, '100.0% of bare'),
      row(`${r.label}: POST /v1/query, cache hit`, r.hit, `${formatPercent(hitShare)} of bare`),
      row(`${r.label}:   same hits, audit trail off (attribution only)`, r.hitNoAudit, `${formatPercent(r.hitNoAudit.requestsPerSecond / r.bare.requestsPerSecond)} of bare`),
      row(`${r.label}:   same hits, governed floor (the hits' target floor)`, r.floor, `${formatPercent(r.floor.requestsPerSecond / r.bare.requestsPerSecond)} of bare; hits are ${formatPercent(hitShareOfFloor)} of it`),
      row(`${r.label}:   same hits, governed floor, audit trail off (attribution only)`, r.floorNoAudit, `${formatPercent(r.floorNoAudit.requestsPerSecond / r.bare.requestsPerSecond)} of bare`),
    );
    local.push([r.label, formatMicros(r.serviceHit.nsPerOp), formatInteger(r.serviceHit.opsPerSecond)]);
    targets.push(
      { name: `${r.label}: governed/raw mean latency on misses ≤ ${TARGETS.missLatencyRatio}`, measured: formatRatio(latencyRatio), pass: latencyRatio <= TARGETS.missLatencyRatio },
      { name: `${r.label}: misses ≥ ${formatPercent(TARGETS.missShareOfRaw)} of the database's throughput`, measured: formatPercent(missShare), pass: missShare >= TARGETS.missShareOfRaw },
      { name: `${r.label}: cache hits at c=${options.connections} ≥ ${formatPercent(TARGETS.hitShareOfGovernedFloor)} of the governed floor`, measured: formatPercent(hitShareOfFloor), pass: hitShareOfFloor >= TARGETS.hitShareOfGovernedFloor },
    );
  }
  return {
    title: 'query: governed queries vs raw SQL',
    tables: [
      {
        caption: `HTTP on loopback (autocannon, ${options.connections} connections, ${options.durationSeconds} s each (misses and hits: see the notes), each after ${WARMUP_SECONDS} s of unmeasured load on its fresh server); tenant ${TENANT.customerId}, department ${TENANT.department}`,
        headers: ['scenario', 'req/s', 'p50', 'p99', 'relative'],
        rows,
      },
      {
        caption: 'Cache hits by CPU per request (this process: the server under load and the load generator), pooled over the runs above',
        headers: ['connector', 'bare route', 'hits', 'hits, audit trail off', 'governed floor', 'governed floor, audit trail off', 'audit trail floor per event', 'ceiling of hits ÷ bare, CPU-bound', 'ceiling of the governed floor ÷ bare, CPU-bound'],
        rows: cpuRows,
      },
      {
        caption: `In process: QueryService.run answered from the result cache (validate, plan, RLS, compile, cache key, lookup; median of ${options.rounds} rounds)`,
        headers: ['connector', 'per run', 'runs/s'],
        rows: local,
      },
    ],
    targets,
    notes: [
      'Query: revenue and orders by region for one tenant (1/14 of the rows), channel in (web, store), status <> a value. Governed = embed-token verification, RLS compile, execution and a durable audit event per request; raw = a bare Fastify route running the hand-written SQL with the tenant predicate on the same connector.',
      `Misses: every request carries a unique value (autocannon [<id>]) in the status filter, so every governed request compiles and executes; the raw route binds the same unique value. Raw and governed misses are each measured ${MISS_ROUNDS} times for ${missSeconds(options.durationSeconds, false)} s (${missSeconds(options.durationSeconds, true)} s on DuckDB with ${formatInteger(SLOW_QUERY_ORDERS)} orders, on PostgreSQL and on MariaDB, whose queries take hundreds of milliseconds, so that each round holds enough answers), alternated raw-governed, governed-raw, …, and each row shows the mean of its runs (p50/p99 are means of the runs' percentiles), so that drift of a shared machine during the run favours neither.`,
      ...results.map((r) => `${r.label}: governed/raw throughput of each alternated miss round: ${r.roundShares.map((share) => formatPercent(share)).join(', ')}; hits/bare of each alternated hit round: ${r.hitShares.map((share) => formatPercent(share)).join(', ')}.`),
      `Hits: the identical query every request, answered from the result cache (keyed by SQL and every bound value). Each connector's hits are judged against the governed floor measured in alternated rounds with them (${MISS_ROUNDS} rounds of each, as for misses, pooled), so that the machine's drift during the run favours neither side; the bare route of the same rounds is shown for reference only. The "audit trail off" row is the same hits on a second warmed Perch whose audit sink is a no-op, taking its turn in the same rounds (bare, hits, trail off, governed floor, governed floor with the trail off; each round starting one later); it only shows what the durable per-request audit event costs and is not a supported configuration.`,
      'Governed floor (the hits\' target): the same hits on a bare Fastify (no logger, no plugins) whose one route does only what every governed answer requires, with Perch\'s own parts: verify the embed token, run the query through the RLS compiler and the result cache, and record the durable query.run event before sending the rows. It shares the first Perch\'s verifier and audit trail and takes its turn in the same rounds. Nothing of Perch\'s HTTP layer (security headers, CORS, rate limits, request ids, logging, metrics, error mapping) runs, so its share of the bare route is the most these parts allow, however cheap that layer became. The "governed floor, audit trail off" row is a second such route over the second Perch\'s verifier and no-op audit sink: token, RLS compile, cache lookup and the rows, and nothing else.',
      "Perch's floor: GET /healthz on a Perch like the others, so through every plugin each Perch request passes (security headers, CORS, rate limits, request ids, logging, metrics) and nothing else: no token, no query, no audit. A cache hit does all of that plus token verification, RLS compile, the cache lookup and a durable audit event, so its share of the bare route is below this row's.",
      'CPU per request: this process\'s CPU (the Perch or bare route under load, and the autocannon load generator in its worker thread), read over each measured run and divided by its requests. The audit trail floor is what any trail with these guarantees spends per event at the least: the embedded store inserting one fully formed row (as many per statement as there are connections, the most one commit carries; nothing parsed) and the event\'s canonical JSON and SHA-256 (see the audit benchmark). The ceiling is bare ÷ (hits with the trail off + that floor): the most the hits can reach, as a share of the bare route, where throughput is bound by CPU, however cheap the rest of the trail became. The governed floor\'s ceiling is bare ÷ (the governed floor with the trail off + that floor): the most any governed answer with a durable audit event could reach, with a trail at its floor and no HTTP layer at all (no security headers, CORS, rate limits, request ids, logging or metrics).',
      'Latency comes from autocannon in whole milliseconds; the latency ratio uses the means. The machine is shared (2 cores), so compare ratios, not absolute numbers.',
    ],
  };
}

/** Raw and governed misses are each measured this many times, alternated (see measureConnector). */
const MISS_ROUNDS = 4;
/** From this many orders on, a DuckDB miss takes hundreds of milliseconds (see `missSeconds`). */
const SLOW_QUERY_ORDERS = 10_000_000;
/**
 * Unmeasured load before every measured run, each of which starts a fresh server. A fresh Perch
 * spends its first seconds of load compiling: its JavaScript, and the embedded store's
 * WebAssembly, which the audit trail exercises and the raw route does not. Read per thread from
 * /proc on uncached queries, a fresh instance's first run (2 s warm-up) cost the main thread
 * 2.8 ms per query and V8's helper threads 1.8 ms; the next runs, 1.6–1.7 ms and 0.8 ms. A
 * server pays that once; the runs measure the steady state, and every route gets the same warm-up.
 */
const WARMUP_SECONDS = 8;

/**
 * Seconds per miss round: half a run, so the misses take as long as two runs each. Where one
 * query takes hundreds of milliseconds (10M orders on DuckDB, PostgreSQL), a half run holds only
 * a few dozen answers per connection and one slow moment of a shared machine decides a round,
 * so those rounds take the full run.
 */
function missSeconds(durationSeconds: number, slowQueries: boolean): number {
  return slowQueries ? durationSeconds : Math.max(3, Math.round(durationSeconds / 2));
}

async function measureConnector(label: string, connectorConfig: ConnectorConfig, warehouse: Record<string, unknown>, options: BenchOptions, slowQueries = false): Promise<ConnectorFigures> {
  const load = { connections: options.connections, durationSeconds: options.durationSeconds, warmupSeconds: WARMUP_SECONDS, method: 'POST' as const };
  // The misses' rounds are half as long, so the misses take the same time as two full runs each.
  const missLoad = { ...load, durationSeconds: missSeconds(options.durationSeconds, slowQueries) };
  const measureRaw = (round: number) =>
    withRawRoute(connectorConfig, async (url) => {
      options.log(`${label}: raw SQL route (round ${round} of ${MISS_ROUNDS})`);
      return runAutocannon({ ...missLoad, url, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: '[<id>]' }), idReplacement: true });
    });
  const measureMisses = (perch: BenchPerch, token: string, round: number) => {
    options.log(`${label}: POST /v1/query, misses (round ${round} of ${MISS_ROUNDS})`);
    return runAutocannon({ ...missLoad, url: `${perch.url}/v1/query`, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: semanticBody(true), idReplacement: true });
  };
  const limits = { tokenRatePerMinute: 1_000_000_000, apiKeyRatePerMinute: 1_000_000_000 };
  // Misses are measured in alternating pairs, raw-governed then governed-raw (A-B-B-A-A-B-B-A):
  // on a shared machine whose speed drifts by tens of percent within a minute, several short
  // alternated rounds cancel the drift that one long run of each would hand to whichever ran
  // in the faster minute. Every round's figures are pooled; the per-round ratios are reported.
  const raws: HttpFigures[] = [];
  const misses: HttpFigures[] = [];
  for (let round = 1; round <= MISS_ROUNDS; round++) {
    const governedFirst = round % 2 === 0;
    if (!governedFirst) raws.push(await measureRaw(round));
    misses.push(await withPerch({ warehouse, limits }, (perch, token) => measureMisses(perch, token, round)));
    if (governedFirst) raws.push(await measureRaw(round));
  }
  // Hits are judged against the bare route in alternated rounds on one warmed Perch, as misses
  // are against raw SQL: on a shared machine whose speed drifts within minutes, a floor taken
  // once, at another moment, would judge the hits against another machine. The attribution
  // runs (the same hits on a second Perch whose audit sink is a no-op, and on the governed floor)
  // take turns with them too, so that every share compares figures of the same minutes.
  const bares: HttpFigures[] = [];
  const hits: HttpFigures[] = [];
  const noAudits: HttpFigures[] = [];
  const floors: HttpFigures[] = [];
  const floorNoAudits: HttpFigures[] = [];
  const cpu = { bare: 0, hit: 0, hitNoAudit: 0, floor: 0, floorNoAudit: 0 };
  const bareRoute = await startBareRoute();
  try {
    await withPerch({ warehouse, limits }, (perch, token) =>
      withPerch({ warehouse, limits }, (noAuditPerch, noAuditToken) =>
        withGovernedFloors(connectorConfig, [perch, noAuditPerch], async ([floorUrl, floorNoAuditUrl]) => {
          const roundLoad = { ...load, durationSeconds: missSeconds(options.durationSeconds, false), body: semanticBody(false), warmupSeconds: 0 };
          const hitLoad = { ...roundLoad, url: `${perch.url}/v1/query`, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } };
          const noAuditLoad = { ...roundLoad, url: `${noAuditPerch.url}/v1/query`, headers: { 'content-type': 'application/json', authorization: `Bearer ${noAuditToken}` } };
          const floorLoad = { ...hitLoad, url: `${floorUrl}/v1/query` };
          const floorNoAuditLoad = { ...noAuditLoad, url: `${floorNoAuditUrl}/v1/query` };
          const bareLoad = { ...roundLoad, url: `${bareRoute.url}/v1/query`, headers: { 'content-type': 'application/json' } };
          options.log(`${label}: warming up both Perch instances, both governed floors and the bare route for the hits`);
          await runAutocannon({ ...hitLoad, durationSeconds: WARMUP_SECONDS });
          await runAutocannon({ ...noAuditLoad, durationSeconds: WARMUP_SECONDS });
          await runAutocannon({ ...floorLoad, durationSeconds: WARMUP_SECONDS });
          await runAutocannon({ ...floorNoAuditLoad, durationSeconds: WARMUP_SECONDS });
          await runAutocannon({ ...bareLoad, durationSeconds: 2 });
          const scenarios = [
            { name: 'bare route', load: bareLoad, runs: bares, cpu: 'bare' as const },
            { name: 'POST /v1/query, hits', load: hitLoad, runs: hits, cpu: 'hit' as const },
            { name: 'POST /v1/query, hits, audit trail off (attribution only)', load: noAuditLoad, runs: noAudits, cpu: 'hitNoAudit' as const },
            { name: 'governed floor, hits (attribution only)', load: floorLoad, runs: floors, cpu: 'floor' as const },
            { name: 'governed floor, hits, audit trail off (attribution only)', load: floorNoAuditLoad, runs: floorNoAudits, cpu: 'floorNoAudit' as const },
          ];
          for (let round = 1; round <= MISS_ROUNDS; round++) {
            // Each round starts one scenario later: bare-hit-off-floor-floorOff, hit-off-floor-floorOff-bare, …
            for (let turn = 0; turn < scenarios.length; turn++) {
              const scenario = scenarios[(round - 1 + turn) % scenarios.length]!;
              options.log(`${label}: ${scenario.name} (round ${round} of ${MISS_ROUNDS})`);
              const { figures, cpuMicros } = await withCpu(() => runAutocannon(scenario.load));
              scenario.runs.push(figures);
              cpu[scenario.cpu] += cpuMicros;
            }
          }
        }),
      'noop'),
    );
  } finally {
    await bareRoute.close();
  }
  const hitNoAudit = poolRuns(noAudits);
  options.log(`${label}: in process, QueryService.run cache hits`);
  const serviceHit = await measureServiceHit(connectorConfig, options);
  const roundShares = misses.map((miss, i) => miss.requestsPerSecond / raws[i]!.requestsPerSecond);
  const hitShares = hits.map((hit, i) => hit.requestsPerSecond / bares[i]!.requestsPerSecond);
  const requests = (runs: readonly HttpFigures[]) => runs.reduce((sum, f) => sum + f.requests, 0);
  return {
    label,
    raw: poolRuns(raws),
    miss: poolRuns(misses),
    roundShares,
    bare: poolRuns(bares),
    hit: poolRuns(hits),
    hitShares,
    hitNoAudit,
    floor: poolRuns(floors),
    floorNoAudit: poolRuns(floorNoAudits),
    serviceHit,
    cpu: { bare: cpu.bare / requests(bares), hit: cpu.hit / requests(hits), hitNoAudit: cpu.hitNoAudit / requests(noAudits), floor: cpu.floor / requests(floors), floorNoAudit: cpu.floorNoAudit / requests(floorNoAudits) },
  };
}

/**
 * Run `body` with one governed floor (see `startGovernedFloor`) per Perch up, their URLs in the
 * same order: each shares its Perch's token verifier and audit sink (so over a Perch whose sink is
 * the no-op, the floor has no trail either). They share a query service of their own under the
 * same limits over the repository's model. A floor answers cache hits only, so on DuckDB a small
 * warehouse of its own serves its one miss (one process may not open the Perch's warehouse file a
 * second time); on PostgreSQL and MariaDB it gets a pool of its own on the same database.
 */
async function withGovernedFloors<T>(config: ConnectorConfig, perches: readonly BenchPerch[], body: (urls: string[]) => Promise<T>): Promise<T> {
  let connectorConfig = config;
  if (config.type === 'duckdb') {
    const path = join(DATA_DIR, 'warehouse-floor.duckdb');
    await generateDemoWarehouse({ path, orders: 1_000 });
    connectorConfig = { type: 'duckdb', path, readOnly: true };
  }
  const connector = await createConnector(connectorConfig);
  try {
    const model = await loadModel(join(import.meta.dirname, '..', 'model'));
    const service = new QueryService({ model, connector, limits: perches[0]!.perch.ctx.config.limits });
    const floors: GovernedFloor[] = [];
    try {
      for (const perch of perches) floors.push(await startGovernedFloor(perch.perch.ctx, service));
      return await body(floors.map((floor) => floor.url));
    } finally {
      for (const floor of floors) await floor.close();
    }
  } finally {
    await connector.close();
  }
}

async function measureServiceHit(config: ConnectorConfig, options: BenchOptions): Promise<MicroBenchResult> {
  const connector = await createConnector(config);
  try {
    const model = await loadModel(join(import.meta.dirname, '..', 'model'));
    const service = new QueryService({ model, connector, limits: { maxRows: 50_000, defaultRows: 1_000, queryTimeoutMs: 30_000, resultCacheEntries: 100, resultCacheTtlMs: 600_000 } });
    const claims = { iss: 'perch', aud: 'default', sub: 'bench', jti: 'bench', iat: 0, nbf: 0, exp: 0, env: 'test' as const, kid_api: 'bench', user: { distinctId: 'bench', role: 'explorer' as const, attributes: TENANT }, scope: { dashboards: [] as string[], assistant: false } };
    const body: unknown = JSON.parse(semanticBody(false));
    await service.run(claims, body);
    return await microBench(() => service.run(claims, body), { warmupIterations: 500, iterations: 2_000, rounds: options.rounds });
  } finally {
    await connector.close();
  }
}

/** A bare Fastify route that runs the hand-written SQL on its own connector (the database's floor over HTTP). */
async function withRawRoute<T>(config: ConnectorConfig, body: (url: string) => Promise<T>): Promise<T> {
  const connector: Connector = await createConnector(config);
  const app = Fastify({ logger: false });
  app.post('/raw', async (request) => {
    const status = (request.body as { status: string }).status;
    // Benchmark only: the floor is raw SQL, so it is sealed by hand here and nowhere else.
    const sql = sealGoverned({ dialect: connector.dialect, sql: rawSqlFor(connector.dialect), parameters: [TENANT.customerId, 'web', 'store', status], policiesApplied: [] });
    const result = await connector.execute(sql);
    return { rows: result.rows };
  });
  try {
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    return await body(`${url}/raw`);
  } finally {
    await app.close();
    await connector.close();
  }
}

async function withPerch<T>(config: Record<string, unknown>, body: (perch: BenchPerch, token: string) => Promise<T>, audit: 'trail' | 'noop' = 'trail'): Promise<T> {
  const perch = await startBenchPerch({ config, audit });
  try {
    const response = await fetch(`${perch.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${perch.adminKey}` },
      body: JSON.stringify({ user: { distinctId: 'bench', role: 'explorer', attributes: TENANT }, ttlSeconds: 3_600 }),
    });
    if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
    const { token } = (await response.json()) as { token: string };
    return await body(perch, token);
  } finally {
    await perch.close();
  }
}
