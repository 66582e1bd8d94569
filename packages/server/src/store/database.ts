import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Kysely, Migrator, sql } from 'kysely';
import pg from 'pg';
import { PerchError } from '@perch/protocol';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect.js';
import { migrationProvider } from './migrations/index.js';
import { PGliteWorkerClient } from './pglite-worker-client.js';
import { assertEmbeddedDirectoryVersion, assertNoAuditJournal } from './embedded-version.js';
import { PGliteWorkerDialect } from './pglite-worker-dialect.js';
import type { PerchDatabase } from './schema.js';

export type StoreKind = 'embedded' | 'postgres';

export interface StoreDatabase {
  readonly kind: StoreKind;
  readonly db: Kysely<PerchDatabase>;
  /** The schema every table lives in (PostgreSQL only; `public` unless isolated for tests). */
  readonly schema: string;
  /** A dedicated `pg` pool, exposed for LISTEN/NOTIFY and streaming reads (PostgreSQL only). */
  readonly pool: pg.Pool | undefined;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** When set, the store is PostgreSQL; otherwise an embedded store under `dataDir`. */
  databaseUrl?: string | undefined;
  /** Directory of the embedded store (default `./.perch`). Use `memory://` for a throwaway store. */
  dataDir?: string;
  /** PostgreSQL schema to use (created if missing). Lets tests and tenants share one server. */
  schema?: string;
  poolSize?: number;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Open the metadata store and bring its schema up to date.
 *
 * The embedded store is PGlite (PostgreSQL in WebAssembly), run in a worker thread: it keeps one
 * SQL dialect for both backends, so the same Kysely migrations and queries run on a laptop and in
 * production.
 *
 * @example
 * ```ts
 * const store = await openStoreDatabase({ dataDir: './.perch' });
 * const rows = await store.db.selectFrom('workspaces').selectAll().execute();
 * await store.close();
 * ```
 */
export async function openStoreDatabase(options: OpenStoreOptions = {}): Promise<StoreDatabase> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`Invalid store schema name: ${schema}`);
  const store = options.databaseUrl ? await openPostgres(options.databaseUrl, schema, options.poolSize ?? 10) : await openEmbedded(options.dataDir ?? '.perch');
  try {
    await migrate(store.db, schema);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

async function openEmbedded(dataDir: string): Promise<StoreDatabase> {
  let location = 'memory://';
  if (dataDir !== 'memory://') {
    location = resolve(dataDir, 'metadata');
    mkdirSync(location, { recursive: true });
    assertEmbeddedDirectoryVersion(location);
    assertNoAuditJournal(resolve(dataDir));
  }
  // PGlite runs in its own worker thread: its WebAssembly would otherwise run on, and stall,
  // the HTTP event loop for every statement.
  const client = await PGliteWorkerClient.open(location);
  const db = new Kysely<PerchDatabase>({ dialect: new PGliteWorkerDialect(client) });
  return {
    kind: 'embedded',
    db,
    schema: 'public',
    pool: undefined,
    async close() {
      await db.destroy();
    },
  };
}

async function openPostgres(url: string, schema: string, poolSize: number): Promise<StoreDatabase> {
  // search_path is set per connection through the startup packet, so every pooled connection
  // resolves unqualified table names in this store's schema and nothing else.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3_000,
    options: `-c search_path=${schema}`,
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Kysely holds a checked-out client across the statements of a transaction; if the server
  // goes away in between, pg emits 'error' on that client, which would otherwise crash the
  // process. The statement in flight still fails (→ 503), and the pool drops the dead client.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (error) {
    await pool.end();
    throw new PerchError('store_unavailable', { detail: `cannot reach the metadata store: ${(error as Error).message}`, cause: error });
  }
  const db = new Kysely<PerchDatabase>({ dialect: new SchemaScopedPostgresDialect(pool, schema) });
  return {
    kind: 'postgres',
    db,
    schema,
    pool,
    async close() {
      await db.destroy();
    },
  };
}

async function migrate(db: Kysely<PerchDatabase>, schema: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableSchema: schema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Metadata store migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
}

/** A cheap round trip, for readiness probes. */
export async function pingStore(store: StoreDatabase): Promise<void> {
  try {
    await sql`select 1`.execute(store.db);
  } catch (error) {
    throw new PerchError('store_unavailable', { detail: (error as Error).message, cause: error });
  }
}

