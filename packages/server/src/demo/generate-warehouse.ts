import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  CHANNELS,
  CUSTOMERS,
  DEFAULT_ORDER_COUNT,
  DEPARTMENTS,
  GENERATOR_VERSION,
  HISTORY_SECONDS,
  MAX_ANCHOR_AGE_DAYS,
  PRODUCT_CATEGORIES,
  PRODUCT_COUNT,
  REGIONS,
  STATUSES,
  TABLE_DDL,
  anchorDateFor,
  historyStartFor,
} from './demo-schema.js';
import { createProgressReporter, type ProgressListener } from './progress.js';
import { RANDOM_MACROS, sqlList } from './random-sql.js';

export interface GenerateDemoOptions {
  /** The DuckDB file to create. */
  path: string;
  /** Number of order rows. Default 1,000,000. */
  orders?: number;
  onProgress?: ProgressListener;
  /** No progress bar on stderr. */
  quiet?: boolean;
  /**
   * End the history at the day before this date (UTC), and regenerate a warehouse whose history
   * ends more than a few days earlier. Omitted: the fixed anchor (2026-10-31), for tests. The
   * rows are the same for the same `today`: only the dates move, by whole days.
   */
  today?: Date | string;
}

export interface DemoWarehouseSummary {
  path: string;
  orders: number;
  customers: number;
  products: number;
  /** False when an up-to-date file already existed and nothing was written. */
  generated: boolean;
  /** The first day without orders (`YYYY-MM-DD`); the data ends the day before. */
  anchorDate: string;
}

const CHUNK_ROWS = 100_000;

/**
 * Generates the deterministic demo warehouse (customers, products, orders) into a DuckDB file.
 * The same version and row count always give byte-for-byte the same table contents. If the file
 * already holds this generator version and row count, nothing is done.
 *
 * The file is built under a temporary name and renamed into place, so a crash never leaves a
 * half-written warehouse that looks complete.
 *
 * @example
 * const { path, orders } = await generateDemoWarehouse({ path: '.perch/demo.duckdb' });
 */
export async function generateDemoWarehouse(options: GenerateDemoOptions): Promise<DemoWarehouseSummary> {
  const orders = options.orders ?? DEFAULT_ORDER_COUNT;
  if (!Number.isSafeInteger(orders) || orders < 0) throw new RangeError('orders must be a non-negative integer');
  const wanted = anchorDateFor(options.today);
  const summary = { path: options.path, orders, customers: CUSTOMERS.length, products: PRODUCT_COUNT };
  const existing = existsSync(options.path) ? await readDemoMeta(options.path) : undefined;
  if (existing?.matches(orders) && anchorIsCurrent(existing.anchorDate, wanted, options.today !== undefined)) {
    return { ...summary, generated: false, anchorDate: existing.anchorDate ?? wanted };
  }

  mkdirSync(dirname(options.path), { recursive: true });
  const temporary = `${options.path}.tmp-${process.pid}`;
  removeDatabaseFiles(temporary);
  const instance = await DuckDBInstance.create(temporary, { enable_external_access: 'false', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const progress = createProgressReporter('generate', orders, options);
  try {
    const connection = await instance.connect();
    try {
      for (const macro of RANDOM_MACROS) await connection.run(macro);
      for (const [table, columns] of Object.entries(TABLE_DDL)) await connection.run(`CREATE TABLE ${table} (${columns})`);
      await insertCustomers(connection);
      await insertProducts(connection);
      progress.update(0);
      for (let start = 0; start < orders; start += CHUNK_ROWS) {
        const end = Math.min(orders, start + CHUNK_ROWS);
        await connection.run(ordersChunkSql(start, end, historyStartFor(wanted)));
        progress.update(end);
      }
      // Written last: a file without it is never mistaken for a finished warehouse.
      await connection.run(
        `INSERT INTO perch_meta VALUES ('generator_version', '${GENERATOR_VERSION}'), ('orders', '${orders}'), ('anchor_date', '${wanted}')`,
      );
      await connection.run('CHECKPOINT');
    } finally {
      connection.closeSync();
    }
  } catch (error) {
    instance.closeSync();
    removeDatabaseFiles(temporary);
    throw error;
  } finally {
    progress.stop();
  }
  instance.closeSync();
  removeDatabaseFiles(options.path);
  renameSync(temporary, options.path);
  return { ...summary, generated: true, anchorDate: wanted };
}

/**
 * Whether a stored anchor serves a request. A fixed-anchor request (tests) needs exactly the fixed
 * anchor; a `today` request accepts an anchor up to a few days old, so a restart does not rebuild
 * a million rows every day, while the data never ages out of "Last 7 days".
 */
function anchorIsCurrent(stored: string | undefined, wanted: string, moving: boolean): boolean {
  if (stored === undefined) return false;
  if (!moving) return stored === wanted;
  const age = (Date.parse(`${wanted}T00:00:00Z`) - Date.parse(`${stored}T00:00:00Z`)) / 86_400_000;
  return age >= 0 && age <= MAX_ANCHOR_AGE_DAYS;
}

/** Reads `perch_meta` from an existing warehouse file (read-only); undefined if it has none. */
export async function readDemoMeta(path: string): Promise<{ version: string; orders: number; anchorDate: string | undefined; matches(orders: number): boolean } | undefined> {
  let instance: DuckDBInstance | undefined;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll("SELECT key, value FROM perch_meta WHERE key IN ('generator_version', 'orders', 'anchor_date')");
      const meta = Object.fromEntries(reader.getRows().map(([key, value]) => [String(key), String(value)]));
      if (meta.generator_version === undefined || meta.orders === undefined) return undefined;
      const version = meta.generator_version;
      const count = Number(meta.orders);
      return { version, orders: count, anchorDate: meta.anchor_date, matches: (orders) => version === GENERATOR_VERSION && count === orders };
    } finally {
      connection.closeSync();
    }
  } catch {
    return undefined; // not a DuckDB file, or no perch_meta: regenerate
  } finally {
    instance?.closeSync();
  }
}

async function insertCustomers(connection: DuckDBConnection): Promise<void> {
  const statement = await connection.prepare('INSERT INTO customers VALUES ($1, $2, $3, $4, $5)');
  try {
    for (const c of CUSTOMERS) {
      statement.bind([c.customer_id, c.name, c.region, c.segment, c.country]);
      await statement.run();
    }
  } finally {
    statement.destroySync();
  }
}

const ADJECTIVES = ['Compact', 'Deluxe', 'Smart', 'Rugged', 'Classic', 'Turbo', 'Eco', 'Pro', 'Ultra', 'Nano'];
const NOUNS: Record<(typeof PRODUCT_CATEGORIES)[number], readonly string[]> = {
  Hardware: ['Router', 'Sensor', 'Server', 'Switch'],
  Software: ['Suite', 'License', 'Toolkit', 'Platform'],
  Services: ['Audit', 'Setup', 'Support Plan', 'Migration'],
  Accessories: ['Cable', 'Adapter', 'Mount', 'Case'],
  Training: ['Course', 'Workshop', 'Bootcamp', 'Certification'],
};

async function insertProducts(connection: DuckDBConnection): Promise<void> {
  const categories = sqlList(PRODUCT_CATEGORIES);
  const nounsByCategory = `[${PRODUCT_CATEGORIES.map((c) => sqlList(NOUNS[c])).join(', ')}]`;
  // Product i uses random streams 101..104 (orders use 1..20), so tables never share draws.
  await connection.run(`
    INSERT INTO products
    SELECT id AS product_id,
           ${sqlList(ADJECTIVES)}[1 + perch_below(id, 101, ${ADJECTIVES.length})] || ' '
             || ${nounsByCategory}[1 + (id - 1) % ${PRODUCT_CATEGORIES.length}][1 + perch_below(id, 102, 4)]
             || ' ' || lpad(CAST(id AS VARCHAR), 3, '0') AS name,
           ${categories}[1 + (id - 1) % ${PRODUCT_CATEGORIES.length}] AS category,
           round(5 + perch_below(id, 103, 49500) / 100.0, 2) AS unit_price
    FROM range(1, ${PRODUCT_COUNT + 1}) AS r(id)`);
}

/** SQL inserting orders with row index in [start, end); order_id = index + 1. */
function ordersChunkSql(start: number, end: number, historyStart: string): string {
  const customerIds = sqlList(CUSTOMERS.map((c) => c.customer_id));
  const homeRegions = sqlList(CUSTOMERS.map((c) => c.region));
  const n = CUSTOMERS.length;
  // Customer skew: u * (0.35 + 0.65u) favours the first tenants, so tenants differ in size.
  return `
    INSERT INTO orders
    WITH prices AS (SELECT list(unit_price ORDER BY product_id) AS unit_prices FROM products),
    draws AS (
      SELECT i,
             CAST(floor(${n} * perch_unit(i, 1) * (0.35 + 0.65 * perch_unit(i, 1))) AS BIGINT) AS customer_index,
             1 + perch_below(i, 2, ${PRODUCT_COUNT}) AS product_id,
             perch_below(i, 3, 10) AS region_draw,
             perch_below(i, 4, 3) AS other_region,
             perch_below(i, 5, ${DEPARTMENTS.length}) AS department_index,
             perch_below(i, 6, 10) AS channel_draw,
             perch_below(i, 7, 100) AS status_draw,
             1 + perch_below(i, 8, 10) AS quantity,
             perch_below(i, 9, 21) AS discount_percent,
             perch_below(i, 10, ${HISTORY_SECONDS}) AS second_offset
      FROM range(${start}, ${end}) AS r(i)
    )
    SELECT i + 1 AS order_id,
           ${customerIds}[1 + customer_index] AS customer_id,
           CAST(product_id AS INTEGER) AS product_id,
           CASE WHEN region_draw < 7 THEN ${homeRegions}[1 + customer_index] ELSE ${sqlList(REGIONS)}[1 + other_region] END AS region,
           ${sqlList(DEPARTMENTS)}[1 + department_index] AS department,
           CASE WHEN channel_draw < 5 THEN '${CHANNELS[0]}' WHEN channel_draw < 8 THEN '${CHANNELS[1]}' ELSE '${CHANNELS[2]}' END AS channel,
           CASE WHEN status_draw < 85 THEN '${STATUSES[0]}' WHEN status_draw < 93 THEN '${STATUSES[1]}' ELSE '${STATUSES[2]}' END AS status,
           CAST(quantity AS INTEGER) AS quantity,
           round(prices.unit_prices[product_id] * quantity * (100 - discount_percent) / 100.0, 2) AS amount,
           TIMESTAMP '${historyStart} 00:00:00' + to_seconds(second_offset) AS ordered_at
    FROM draws, prices
    ORDER BY i`;
}

function removeDatabaseFiles(path: string): void {
  for (const file of [path, `${path}.wal`]) rmSync(file, { force: true });
}
