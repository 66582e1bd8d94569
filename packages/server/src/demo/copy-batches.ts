import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';
import { ANCHOR_DATE, DEFAULT_ORDER_COUNT, GENERATOR_VERSION } from './demo-schema.js';
import { generateDemoWarehouse, readDemoMeta } from './generate-warehouse.js';

/** What a loader reports: where the demo went and whether it had to copy it. */
export interface DemoLoadSummary {
  /** PostgreSQL: the schema; MySQL: the database. */
  schema: string;
  orders: number;
  /** False when the target already held this generator version, row count and anchor. */
  loaded: boolean;
}

/**
 * How each order column is read from the DuckDB warehouse, in the order every loader binds them:
 * ids as text (a BIGINT would arrive as a JS bigint), timestamps as UTC text both servers parse.
 */
export const ORDER_COLUMNS = [
  ['order_id', 'CAST(order_id AS VARCHAR)'],
  ['customer_id', 'customer_id'],
  ['product_id', 'product_id'],
  ['region', 'region'],
  ['department', 'department'],
  ['channel', 'channel'],
  ['status', 'status'],
  ['quantity', 'quantity'],
  ['amount', 'amount'],
  ['ordered_at', "strftime(ordered_at, '%Y-%m-%d %H:%M:%S')"],
] as const;

export type OrderColumn = (typeof ORDER_COLUMNS)[number][0];
export const ORDER_COLUMN_NAMES: readonly OrderColumn[] = ORDER_COLUMNS.map(([name]) => name);

/** The demo warehouse file a loader copies from, and what it holds. */
export interface DemoSource {
  path: string;
  orders: number;
  anchorDate: string;
}

/**
 * Runs `copy` on the given demo warehouse file, or on one generated into a scratch directory
 * (removed afterwards) when none is given.
 *
 * @example
 * await withDemoSource({ orders: 10_000 }, (source) => copyInto(target, source));
 */
export async function withDemoSource<T>(options: { sourcePath?: string; orders?: number }, copy: (source: DemoSource) => Promise<T>): Promise<T> {
  let scratch: string | undefined;
  let path = options.sourcePath;
  if (!path) {
    scratch = mkdtempSync(join(tmpdir(), 'perch-demo-'));
    path = join(scratch, 'demo.duckdb');
    await generateDemoWarehouse({ path, orders: options.orders ?? DEFAULT_ORDER_COUNT, quiet: true });
  }
  try {
    const meta = await readDemoMeta(path);
    if (!meta) throw new Error(`${path} is not a Perch demo warehouse`);
    return await copy({ path, orders: meta.orders, anchorDate: meta.anchorDate ?? ANCHOR_DATE });
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Reads the orders from DuckDB in `order_id` ranges of `batchRows` (ORDER_COLUMNS, in order) and
 * hands each batch to `insert`, reporting progress after each. Each server has its own best
 * batch: PostgreSQL binds whole columns as arrays, MySQL one placeholder per value.
 *
 * @example
 * await copyOrderBatches(duck, { orders, batchRows: 2_000, progress }, (batch) => insertRows(batch.getRowsJS()));
 */
export async function copyOrderBatches(
  duck: DuckDBConnection,
  plan: { orders: number; batchRows: number; progress: { update(done: number): void } },
  insert: (batch: DuckDBResultReader) => Promise<void>,
): Promise<void> {
  const select = `SELECT ${ORDER_COLUMNS.map(([, expression]) => expression).join(', ')} FROM orders WHERE order_id > $1 AND order_id <= $2 ORDER BY order_id`;
  plan.progress.update(0);
  for (let start = 0; start < plan.orders; start += plan.batchRows) {
    const end = Math.min(plan.orders, start + plan.batchRows);
    await insert(await duck.runAndReadAll(select, [BigInt(start), BigInt(end)]));
    plan.progress.update(end);
  }
}

/**
 * DuckDB values as bound parameters: bigints travel as text, which both servers cast.
 *
 * @example
 * bindable([1n, 'acme', 2.5]); // ['1', 'acme', 2.5]
 */
export function bindable(values: readonly unknown[]): unknown[] {
  return values.map((value) => (typeof value === 'bigint' ? value.toString() : value));
}

/**
 * The `perch_meta` rows a loaded copy ends with (written last, so a half-done copy never matches).
 *
 * @example
 * demoMetaRows({ path, orders: 1000, anchorDate: '2026-10-31' }); // [['generator_version', '1'], ['orders', '1000'], ['anchor_date', '2026-10-31']]
 */
export function demoMetaRows(source: DemoSource): Array<[key: string, value: string]> {
  return [
    ['generator_version', GENERATOR_VERSION],
    ['orders', String(source.orders)],
    ['anchor_date', source.anchorDate],
  ];
}

/**
 * Whether a target's `perch_meta` already describes this source: same version, row count and
 * anchor, so a warehouse regenerated to end yesterday is copied again. A copy made before the
 * anchor was recorded has the fixed anchor.
 *
 * @example
 * isCurrentCopy({ generator_version: '1', orders: '1000' }, { path, orders: 1000, anchorDate: ANCHOR_DATE }); // true
 */
export function isCurrentCopy(meta: Readonly<Record<string, string>>, source: DemoSource): boolean {
  return meta.generator_version === GENERATOR_VERSION && meta.orders === String(source.orders) && (meta.anchor_date ?? ANCHOR_DATE) === source.anchorDate;
}
