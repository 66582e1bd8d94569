import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import pg from 'pg';
import { TABLE_DDL } from './demo-schema.js';
import { bindable, copyOrderBatches, demoMetaRows, isCurrentCopy, ORDER_COLUMNS, withDemoSource, type DemoLoadSummary, type DemoSource, type OrderColumn } from './copy-batches.js';
import { createProgressReporter, type ProgressListener } from './progress.js';

export type { DemoLoadSummary } from './copy-batches.js';

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

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const BATCH_ROWS = 50_000;

/** The PostgreSQL array type each order column is bound as (read from DuckDB as copy-batches.ts says). */
const ORDER_ARRAY_TYPES: Record<OrderColumn, string> = {
  order_id: 'bigint[]',
  customer_id: 'text[]',
  product_id: 'integer[]',
  region: 'text[]',
  department: 'text[]',
  channel: 'text[]',
  status: 'text[]',
  quantity: 'integer[]',
  amount: 'double precision[]',
  ordered_at: 'timestamp[]',
};

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
  return withDemoSource(options, (source) => copyIntoPostgres(source, schema, options));
}

async function copyIntoPostgres(source: DemoSource, schema: string, options: LoadDemoIntoPostgresOptions): Promise<DemoLoadSummary> {
  const { orders } = source;
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    if (await isUpToDate(client, schema, source)) return { schema, orders, loaded: false };
    const instance = await DuckDBInstance.create(source.path, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
    const duck = await instance.connect();
    const progress = createProgressReporter('load', orders, options);
    try {
      await client.query('BEGIN');
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      for (const table of Object.keys(TABLE_DDL)) await client.query(`DROP TABLE IF EXISTS ${schema}.${table}`);
      for (const [table, columns] of Object.entries(TABLE_DDL)) await client.query(`CREATE TABLE ${schema}.${table} (${columns})`);
      await copySmallTable(duck, client, schema, 'customers', ['customer_id', 'name', 'region', 'segment', 'country'], ['text[]', 'text[]', 'text[]', 'text[]', 'text[]']);
      await copySmallTable(duck, client, schema, 'products', ['product_id', 'name', 'category', 'unit_price'], ['integer[]', 'text[]', 'text[]', 'double precision[]']);
      const insert = `INSERT INTO ${schema}.orders (${ORDER_COLUMNS.map(([name]) => name).join(', ')}) SELECT * FROM unnest(${ORDER_COLUMNS.map(([name], i) => `$${i + 1}::${ORDER_ARRAY_TYPES[name]}`).join(', ')})`;
      await copyOrderBatches(duck, { orders, batchRows: BATCH_ROWS, progress }, async (batch) => {
        await client.query(insert, batch.getColumnsJS().map(bindable));
      });
      await client.query(`CREATE INDEX ON ${schema}.orders (customer_id, ordered_at)`);
      const meta = demoMetaRows(source);
      await client.query(`INSERT INTO ${schema}.perch_meta VALUES ${meta.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`, meta.flat());
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

/** Whether the schema already holds this copy (see `isCurrentCopy`). */
async function isUpToDate(client: pg.Client, schema: string, source: DemoSource): Promise<boolean> {
  const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'perch_meta']);
  if (exists.rowCount === 0) return false;
  const meta = await client.query<{ key: string; value: string }>(`SELECT key, value FROM ${schema}.perch_meta`);
  return isCurrentCopy(Object.fromEntries(meta.rows.map((row) => [row.key, row.value])), source);
}

async function copySmallTable(duck: DuckDBConnection, client: pg.Client, schema: string, table: string, columns: string[], types: string[]): Promise<void> {
  const reader = await duck.runAndReadAll(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY 1`);
  await client.query(
    `INSERT INTO ${schema}.${table} (${columns.join(', ')}) SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::${type}`).join(', ')})`,
    reader.getColumnsJS().map(bindable),
  );
}
