/**
 * What both change guards start: a Perch from the tree given, with that tree's own code, on the
 * embedded store or a throwaway PostgreSQL schema, and an explorer's embed token for it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export type GuardStore = 'embedded' | 'postgres';

export interface GuardPerch {
  url: string;
  /** An explorer's embed token for acme (one hour). */
  token: string;
  /** Stop Perch and drop its PostgreSQL schema, if any. */
  close(): Promise<void>;
}

const PG_URL = process.env.PERCH_BENCH_DATABASE_URL ?? process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const CONFIG = { limits: { apiKeyRatePerMinute: 1_000_000_000, tokenRatePerMinute: 1_000_000_000 } };

/** The guards' `POST /v1/query` body; a miss puts a unique value (autocannon's `[<id>]`) into a filter, so every request compiles and runs. */
export const guardQueryBody = (miss: boolean): string =>
  JSON.stringify({ dataset: 'orders', measures: ['revenue', 'orders'], dimensions: ['region'], filters: [{ member: 'status', operator: 'notEquals', values: [miss ? '[<id>]' : 'none'] }] });

/**
 * Start a Perch from `tree` and mint its token.
 *
 * @example
 * ```ts
 * const perch = await startGuardPerch('/work/perch-before', 'postgres');
 * await perch.close();
 * ```
 */
export async function startGuardPerch(tree: string, store: GuardStore): Promise<GuardPerch> {
  const { startBenchPerch } = (await import(pathToFileURL(join(tree, 'bench/lib/perch-instance.ts')).href)) as {
    startBenchPerch(options: { config?: Record<string, unknown>; env?: Record<string, string> }): Promise<{ url: string; adminKey: string; close(): Promise<void> }>;
  };
  const schema = `perch_guard_${randomBytes(4).toString('hex')}`;
  const onPostgres = store === 'postgres';
  const bench = await startBenchPerch({ config: CONFIG, env: onPostgres ? { DATABASE_URL: PG_URL, PERCH_DATABASE_SCHEMA: schema } : {} });
  const close = async () => {
    await bench.close();
    if (!onPostgres) return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  };
  try {
    const minted = await fetch(`${bench.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bench.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { distinctId: 'guard-explorer', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } }, ttlSeconds: 3600 }),
    });
    if (minted.status !== 201) throw new Error(`mint failed: ${minted.status} ${await minted.text()}`);
    const { token } = (await minted.json()) as { token: string };
    return { url: bench.url, token, close };
  } catch (error) {
    await close();
    throw error;
  }
}
