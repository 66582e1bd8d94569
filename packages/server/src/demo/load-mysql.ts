import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import mysql from 'mysql2/promise';
import { TABLE_DDL } from './demo-schema.js';
import { bindable, copyOrderBatches, demoMetaRows, isCurrentCopy, ORDER_COLUMN_NAMES, withDemoSource, type DemoLoadSummary, type DemoSource } from './copy-batches.js';
import { createProgressReporter, type ProgressListener } from './progress.js';

export interface LoadDemoIntoMysqlOptions {
  /** `mysql://user:password@host:3306/database`. */
  url: string;
  /** Target database (created if missing). Default: the URL's database. */
  database?: string;
  /** An existing demo warehouse file to copy. Without it, one is generated with `orders` rows. */
  sourcePath?: string;
  orders?: number;
  onProgress?: ProgressListener;
  quiet?: boolean;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
/** Rows per INSERT: 10 columns × 2,000 rows stays well under the 65,535 placeholders of a prepared statement. */
const BATCH_ROWS = 2_000;

/**
 * The shared column lists (demo-schema.ts) in MySQL's spelling: backticked names (`key` is a
 * reserved word), sized VARCHARs (a key must have a length), DATETIME for UTC timestamps, and a
 * binary collation on every table, so RLS and filters compare strings exactly as DuckDB and
 * PostgreSQL do (no case or trailing-space folding).
 */
export function mysqlTableDdl(table: keyof typeof TABLE_DDL): string {
  const columns = TABLE_DDL[table].split(', ').map((definition) => {
    const [name, ...rest] = definition.split(' ');
    const type = rest.join(' ').replace(/^VARCHAR/, 'VARCHAR(191)').replace(/^TIMESTAMP/, 'DATETIME');
    return `\`${name}\` ${type}`;
  });
  return `CREATE TABLE \`${table}\` (${columns.join(', ')}) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin`;
}

/**
 * Loads the demo warehouse into MySQL or MariaDB with identical values, so every connector
 * answers the same questions with the same numbers. Rows go in prepared multi-row INSERTs of
 * 2,000 rows, every value a bound parameter; the orders go in one transaction and `perch_meta`
 * is written last, so a database that already holds this version, row count and anchor is left
 * alone (copy-batches.ts, shared with the PostgreSQL loader).
 *
 * @example
 * await loadDemoIntoMysql({ url: 'mysql://root@127.0.0.1:3306/demo', sourcePath: '.perch/demo.duckdb' });
 */
export async function loadDemoIntoMysql(options: LoadDemoIntoMysqlOptions): Promise<DemoLoadSummary> {
  const database = options.database ?? decodeURIComponent(new URL(options.url).pathname.slice(1));
  // The database name is written into DDL, so only plain lower-case identifiers are accepted.
  if (!IDENTIFIER.test(database)) throw new RangeError(`database must match ${IDENTIFIER}`);
  return withDemoSource(options, (source) => copyIntoMysql(source, database, options));
}

async function copyIntoMysql(source: DemoSource, database: string, options: LoadDemoIntoMysqlOptions): Promise<DemoLoadSummary> {
  const { orders } = source;
  const url = new URL(options.url);
  url.pathname = '/';
  const connection = await mysql.createConnection({ uri: url.toString(), multipleStatements: false, flags: ['-LOCAL_FILES'] });
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await connection.query(`USE \`${database}\``);
    await connection.query("SET SESSION time_zone = '+00:00'");
    if (await isUpToDate(connection, database, source)) return { schema: database, orders, loaded: false };
    const instance = await DuckDBInstance.create(source.path, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
    const duck = await instance.connect();
    const progress = createProgressReporter('load', orders, { ...options, target: 'MySQL/MariaDB' });
    try {
      // DDL commits implicitly in MySQL, so the tables come first and the rows in one transaction.
      for (const table of Object.keys(TABLE_DDL)) await connection.query(`DROP TABLE IF EXISTS \`${table}\``);
      for (const table of Object.keys(TABLE_DDL) as Array<keyof typeof TABLE_DDL>) await connection.query(mysqlTableDdl(table));
      await connection.beginTransaction();
      await copyRows(duck, connection, 'customers', 'SELECT customer_id, name, region, segment, country FROM customers ORDER BY 1', ['customer_id', 'name', 'region', 'segment', 'country']);
      await copyRows(duck, connection, 'products', 'SELECT product_id, name, category, unit_price FROM products ORDER BY 1', ['product_id', 'name', 'category', 'unit_price']);
      await copyOrderBatches(duck, { orders, batchRows: BATCH_ROWS, progress }, (batch) => insertRows(connection, 'orders', ORDER_COLUMN_NAMES, batch.getRowsJS()));
      const meta = demoMetaRows(source);
      await connection.execute(`INSERT INTO \`perch_meta\` (\`key\`, \`value\`) VALUES ${meta.map(() => '(?, ?)').join(', ')}`, meta.flat());
      await connection.commit();
      await connection.query('CREATE INDEX orders_customer_time ON `orders` (customer_id, ordered_at)');
      await connection.query('ANALYZE TABLE `orders`');
      return { schema: database, orders, loaded: true };
    } catch (error) {
      await connection.rollback().catch(() => {});
      throw error;
    } finally {
      progress.stop();
      duck.closeSync();
      instance.closeSync();
    }
  } finally {
    await connection.end();
  }
}

/** Whether the database already holds this copy (see `isCurrentCopy`). */
async function isUpToDate(connection: mysql.Connection, database: string, source: DemoSource): Promise<boolean> {
  const [exists] = await connection.execute('SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [database, 'perch_meta']);
  if ((exists as unknown[]).length === 0) return false;
  const [rows] = await connection.query('SELECT `key`, `value` FROM `perch_meta`');
  return isCurrentCopy(Object.fromEntries((rows as Array<{ key: string; value: string }>).map((row) => [row.key, row.value])), source);
}

async function copyRows(duck: DuckDBConnection, connection: mysql.Connection, table: string, select: string, columns: readonly string[]): Promise<void> {
  const reader = await duck.runAndReadAll(select);
  const rows = reader.getRowsJS();
  for (let start = 0; start < rows.length; start += BATCH_ROWS) await insertRows(connection, table, columns, rows.slice(start, start + BATCH_ROWS));
}

/** One prepared multi-row INSERT; the table and column names are constants of this file. */
async function insertRows(connection: mysql.Connection, table: string, columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): Promise<void> {
  if (rows.length === 0) return;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
  await connection.execute(sql, rows.flatMap((row) => bindable(row) as Array<string | number | null>));
}
