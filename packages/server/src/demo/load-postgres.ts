import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { ANCHOR_DATE, DEFAULT_ORDER_COUNT, GENERATOR_VERSION, TABLE_DDL } from './demo-schema.js';
import { generateDemoWarehouse, readDemoMeta } from './generate-warehouse.js';
import { createProgressReporter, type ProgressListener } from './progress.js';

export interface LoadDemoIntoPostgresOptions {
  url: string;
  /** Target schema (created if missing). Default `public`. */
  schema?: string;
  /** An existing demo warehouse file to copy. Without it, one is generated with `orders` rows. */
  sourcePath?: string;
  orders?: number;
  onProgress?: ProgressListener;
  quiet?: boolean;
}

export interface DemoLoadSummary {
  schema: string;
  orders: number;
  /** False when the schema already held this generator version and row count. */
  loaded: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const BATCH_ROWS = 50_000;

/** How each column travels: read from DuckDB as text or number, bound as a PostgreSQL array. */
const ORDER_COLUMNS = [
  ['order_id', 'CAST(order_id AS VARCHAR)', 'bigint[]'],
  ['customer_id', 'customer_id', 'text[]'],
  ['product_id', 'product_id', 'integer[]'],
  ['region', 'region', 'text[]'],
  ['department', 'department', 'text[]'],
  ['channel', 'channel', 'text[]'],
  ['status', 'status', 'text[]'],
  ['quantity', 'quantity', 'integer[]'],
  ['amount', 'amount', 'double precision[]'],
  ['ordered_at', "strftime(ordered_at, '%Y-%m-%d %H:%M:%S')", 'timestamp[]'],
] as const;

/**
 * Loads the demo warehouse into PostgreSQL with identical values, so the DuckDB and PostgreSQL
 * connectors answer the same questions with the same numbers. Rows go in batches of 50,000 as
 * one `INSERT … SELECT FROM unnest($1::bigint[], …)` each: ten bound arrays per batch, no SQL
 * text built from data. Everything runs in one transaction; `perch_meta` is written last, and a
 * schema that already holds this version and row count is left alone.
 *
 * @example
 * await loadDemoIntoPostgres({ url: process.env.DATABASE_URL!, schema: 'demo', sourcePath: '.perch/demo.duckdb' });
 */
export async function loadDemoIntoPostgres(options: LoadDemoIntoPostgresOptions): Promise<DemoLoadSummary> {
  const schema = options.schema ?? 'public';
  // The schema name is written into DDL, so only plain lower-case identifiers are accepted.
  if (!IDENTIFIER.test(schema)) throw new RangeError(`schema must match ${IDENTIFIER}`);
  let scratch: string | undefined;
  let sourcePath = options.sourcePath;
  if (!sourcePath) {
    scratch = mkdtempSync(join(tmpdir(), 'perch-demo-'));
    sourcePath = join(scratch, 'demo.duckdb');
    await generateDemoWarehouse({ path: sourcePath, orders: options.orders ?? DEFAULT_ORDER_COUNT, quiet: true });
  }
  try {
    const meta = await readDemoMeta(sourcePath);
    if (!meta) throw new Error(`${sourcePath} is not a Perch demo warehouse`);
    return await copyIntoPostgres(sourcePath, meta.orders, meta.anchorDate ?? ANCHOR_DATE, schema, options);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

async function copyIntoPostgres(sourcePath: string, orders: number, anchorDate: string, schema: string, options: LoadDemoIntoPostgresOptions): Promise<DemoLoadSummary> {
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    if (await isUpToDate(client, schema, orders, anchorDate)) return { schema, orders, loaded: false };
    const instance = await DuckDBInstance.create(sourcePath, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
    const duck = await instance.connect();
    const progress = createProgressReporter('load', orders, options);
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      for (const table of Object.keys(TABLE_DDL)) await client.query(`DROP TABLE IF EXISTS ${schema}.${table}`);
      for (const [table, columns] of Object.entries(TABLE_DDL)) await client.query(`CREATE TABLE ${schema}.${table} (${columns})`);
      await copySmallTable(duck, client, schema, 'customers', ['customer_id', 'name', 'region', 'segment', 'country'], ['text[]', 'text[]', 'text[]', 'text[]', 'text[]']);
      await copySmallTable(duck, client, schema, 'products', ['product_id', 'name', 'category', 'unit_price'], ['integer[]', 'text[]', 'text[]', 'double precision[]']);
      progress.update(0);
      const select = `SELECT ${ORDER_COLUMNS.map(([, expression]) => expression).join(', ')} FROM orders WHERE order_id > $1 AND order_id <= $2 ORDER BY order_id`;
      const insert = `INSERT INTO ${schema}.orders (${ORDER_COLUMNS.map(([name]) => name).join(', ')}) SELECT * FROM unnest(${ORDER_COLUMNS.map(([, , type], i) => `$${i + 1}::${type}`).join(', ')})`;
      for (let start = 0; start < orders; start += BATCH_ROWS) {
        const end = Math.min(orders, start + BATCH_ROWS);
        const reader = await duck.runAndReadAll(select, [BigInt(start), BigInt(end)]);
        await client.query(insert, reader.getColumnsJS().map(toArray));
        progress.update(end);
      }
      await client.query(`CREATE INDEX ON ${schema}.orders (customer_id, ordered_at)`);
      await client.query(`INSERT INTO ${schema}.perch_meta VALUES ('generator_version', $1), ('orders', $2), ('anchor_date', $3)`, [GENERATOR_VERSION, String(orders), anchorDate]);
      await client.query('COMMIT');
      await client.query(`ANALYZE ${schema}.orders`);
      return { schema, orders, loaded: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      progress.stop();
      duck.closeSync();
      instance.closeSync();
    }
  } finally {
    await client.end();
  }
}

/** Same version, row count and anchor: a warehouse regenerated to end yesterday is copied again. */
async function isUpToDate(client: pg.Client, schema: string, orders: number, anchorDate: string): Promise<boolean> {
  const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'perch_meta']);
  if (exists.rowCount === 0) return false;
  const meta = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${schema}.perch_meta`);
  const values = Object.fromEntries(meta.rows.map((row) => [row.key, row.value]));
  return values.generator_version === GENERATOR_VERSION && values.orders === String(orders) && (values.anchor_date ?? ANCHOR_DATE) === anchorDate;
}

async function copySmallTable(duck: DuckDBConnection, client: pg.Client, schema: string, table: string, columns: string[], types: string[]): Promise<void> {
  const reader = await duck.runAndReadAll(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY 1`);
  await client.query(
    `INSERT INTO ${schema}.${table} (${columns.join(', ')}) SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::${type}`).join(', ')})`,
    reader.getColumnsJS().map(toArray),
  );
}

/** DuckDB column values as a pg array parameter (bigints travel as text; pg casts them). */
function toArray(values: readonly unknown[]): unknown[] {
  return values.map((value) => (typeof value === 'bigint' ? value.toString() : value));
}
