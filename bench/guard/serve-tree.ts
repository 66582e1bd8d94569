/**
 * One Perch of the paired guard (see `paired-guard.ts`), started from the tree given with that
 * tree's own code, on the embedded store or a throwaway PostgreSQL schema. Prints one JSON line,
 * `{ url, token, pid }`, and stays up until its stdin closes, then drops its schema.
 *
 * Usage: node --import tsx bench/guard/serve-tree.ts <tree> <embedded|postgres>
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

interface BenchPerch {
  url: string;
  adminKey: string;
  close(): Promise<void>;
}

const PG_URL = process.env.PERCH_BENCH_DATABASE_URL ?? process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const [tree, store] = process.argv.slice(2);
if (!tree || (store !== 'embedded' && store !== 'postgres')) throw new Error('usage: serve-tree <tree> <embedded|postgres>');
const { startBenchPerch } = (await import(pathToFileURL(join(tree, 'bench/lib/perch-instance.ts')).href)) as {
  startBenchPerch(options: { config?: Record<string, unknown>; env?: Record<string, string> }): Promise<BenchPerch>;
};
const schema = `perch_guard_${randomBytes(4).toString('hex')}`;
const onPostgres = store === 'postgres';
const bench = await startBenchPerch({
  config: { limits: { apiKeyRatePerMinute: 1_000_000_000, tokenRatePerMinute: 1_000_000_000 } },
  env: onPostgres ? { DATABASE_URL: PG_URL, PERCH_DATABASE_SCHEMA: schema } : {},
});
const minted = await fetch(`${bench.url}/v1/embed/tokens`, {
  method: 'POST',
  headers: { authorization: `Bearer ${bench.adminKey}`, 'content-type': 'application/json' },
  body: JSON.stringify({ user: { distinctId: 'guard-explorer', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } }, ttlSeconds: 3600 }),
});
if (minted.status !== 201) throw new Error(`mint failed: ${minted.status} ${await minted.text()}`);
const { token } = (await minted.json()) as { token: string };
process.stdout.write(`${JSON.stringify({ url: bench.url, token, pid: process.pid })}\n`);

let closing = false;
async function stop(): Promise<void> {
  if (closing) return;
  closing = true;
  await bench.close();
  if (onPostgres) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
  process.exit(0);
}
process.stdin.on('end', () => void stop());
process.stdin.resume();
