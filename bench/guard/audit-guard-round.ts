/**
 * One measured run of the audit change guard (see `audit-guard.ts`), in the Perch tree given:
 * a fresh Perch from that tree's own code, warmed, then `POST /v1/query` under load.
 * Prints one JSON line: `{ "requestsPerSecond": … }`.
 *
 * Usage: node --import tsx bench/guard/audit-guard-round.ts <tree> <postgres-hits|postgres-misses|embedded-hits> <seconds> <warm-up seconds>
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

type Scenario = 'postgres-hits' | 'postgres-misses' | 'embedded-hits';

interface TreeModules {
  startBenchPerch(options: { config?: Record<string, unknown>; env?: Record<string, string> }): Promise<{ url: string; adminKey: string; close(): Promise<void> }>;
  runAutocannon(load: Record<string, unknown>): Promise<{ requestsPerSecond: number; non2xx: number; errors: number }>;
}

const PG_URL = process.env.PERCH_BENCH_DATABASE_URL ?? process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONFIG = { limits: { apiKeyRatePerMinute: 1_000_000_000, tokenRatePerMinute: 1_000_000_000 } };
const SCENARIOS: readonly Scenario[] = ['postgres-hits', 'postgres-misses', 'embedded-hits'];

/** A miss puts a unique value (autocannon's `[<id>]`) into a filter, so every request compiles and runs. */
const body = (miss: boolean) =>
  JSON.stringify({
    dataset: 'orders',
    measures: ['revenue', 'orders'],
    dimensions: ['region'],
    filters: [{ member: 'status', operator: 'notEquals', values: [miss ? '[<id>]' : 'none'] }],
  });

async function load(tree: string): Promise<TreeModules> {
  const perch = (await import(pathToFileURL(join(tree, 'bench/lib/perch-instance.ts')).href)) as Pick<TreeModules, 'startBenchPerch'>;
  const cannon = (await import(pathToFileURL(join(tree, 'bench/lib/autocannon-runner.ts')).href)) as Pick<TreeModules, 'runAutocannon'>;
  return { startBenchPerch: perch.startBenchPerch, runAutocannon: cannon.runAutocannon };
}

async function main(): Promise<void> {
  const [tree, scenarioArg, secondsArg, warmupArg] = process.argv.slice(2);
  const scenario = SCENARIOS.find((s) => s === scenarioArg);
  if (!tree || !scenario) throw new Error(`usage: audit-guard-round <tree> <${SCENARIOS.join('|')}> <seconds> <warm-up seconds>`);
  const seconds = Number(secondsArg ?? 5);
  const warmup = Number(warmupArg ?? 8);
  const { startBenchPerch, runAutocannon } = await load(tree);
  const schema = `perch_guard_${randomBytes(4).toString('hex')}`;
  const onPostgres = scenario.startsWith('postgres');
  const bench = await startBenchPerch({ config: CONFIG, env: onPostgres ? { DATABASE_URL: PG_URL, PERCH_DATABASE_SCHEMA: schema } : {} });
  try {
    const minted = await fetch(`${bench.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bench.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { distinctId: 'guard-explorer', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } }, ttlSeconds: 3600 }),
    });
    if (minted.status !== 201) throw new Error(`mint failed: ${minted.status} ${await minted.text()}`);
    const { token } = (await minted.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const miss = scenario === 'postgres-misses';
    const warm = await fetch(`${bench.url}/v1/query`, { method: 'POST', headers, body: body(false) });
    if (warm.status !== 200) throw new Error(`warm-up query failed: ${warm.status} ${await warm.text()}`);
    const request = { url: `${bench.url}/v1/query`, method: 'POST', headers, body: body(miss), idReplacement: miss, connections: 10, warmupSeconds: 0 };
    await runAutocannon({ ...request, durationSeconds: warmup });
    const figures = await runAutocannon({ ...request, durationSeconds: seconds });
    process.stdout.write(`${JSON.stringify({ requestsPerSecond: figures.requestsPerSecond, non2xx: figures.non2xx, errors: figures.errors })}\n`);
  } finally {
    await bench.close();
    if (onPostgres) {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
  }
}

await main();
