import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStoreDatabase, type StoreDatabase, type StoreKind } from '../../src/store/database.js';

export const TEST_DATABASE_URL = process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both backends, so every store-backed suite runs on each (`describe.each(STORE_KINDS)`). */
export const STORE_KINDS: StoreKind[] = ['embedded', 'postgres'];

export interface TestStore {
  store: StoreDatabase;
  /** Drop everything this store created (temp dir or PostgreSQL schema). */
  dispose(): Promise<void>;
}

/**
 * A fresh, isolated store: a temporary directory for the embedded backend, a unique schema on
 * the shared PostgreSQL server. A missing PostgreSQL is an error, never a skip.
 */
export async function openTestStore(kind: StoreKind): Promise<TestStore> {
  if (kind === 'embedded') {
    const dir = mkdtempSync(join(tmpdir(), 'perch-store-'));
    const store = await openStoreDatabase({ dataDir: dir });
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `perch_test_${randomBytes(6).toString('hex')}`;
  let store: StoreDatabase;
  try {
    store = await openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 5 });
  } catch (error) {
    throw new Error(`PostgreSQL-backed tests need a server at PERCH_TEST_DATABASE_URL (${TEST_DATABASE_URL}): ${(error as Error).message}`);
  }
  return {
    store,
    async dispose() {
      await store.close();
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
