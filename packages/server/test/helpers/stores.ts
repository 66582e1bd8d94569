import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStoreDatabase, type StoreDatabase, type StoreKind } from '../../src/store/database.js';
import { EMBEDDED_POSTGRES_MAJOR } from '../../src/store/embedded-version.js';

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
    cpSync(await embeddedTemplate(), dir, { recursive: true });
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

/** Drop a throwaway schema with everything in it (the benchmarks use it too, with their own server). */
export async function dropSchema(schema: string, url: string = TEST_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

const MIGRATIONS_DIR = fileURLToPath(new URL('../../src/store/migrations/', import.meta.url));

/**
 * A freshly migrated embedded store, created once per migration set and copied for each test.
 * Creating an embedded store runs initdb inside WebAssembly (seconds); copying a template and
 * opening it is much cheaper. The template is keyed by the migrations' content, so a changed
 * migration gets a new template.
 */
export async function embeddedTemplate(): Promise<string> {
  const digest = createHash('sha256');
  // The engine's version too: a data directory opens only in the PostgreSQL major that made it.
  digest.update(EMBEDDED_POSTGRES_MAJOR).update(pgliteVersion());
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) digest.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  const template = join(tmpdir(), `perch-store-template-${digest.digest('hex').slice(0, 16)}`);
  if (existsSync(template)) return template;
  const building = mkdtempSync(join(tmpdir(), 'perch-store-template-building-'));
  const store = await openStoreDatabase({ dataDir: building });
  await store.close();
  try {
    // Atomic publish: concurrent test files may race to build the same template.
    renameSync(building, template);
  } catch {
    rmSync(building, { recursive: true, force: true });
  }
  return template;
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  // …/node_modules/@electric-sql/pglite/dist/index.js → its package.json
  const manifest = join(dirname(dirname(entry)), 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}
