import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { ANCHOR_DATE, CHANNELS, CUSTOMERS, DEPARTMENTS, generateDemoWarehouse, historyStartFor, loadDemoIntoPostgres, REGIONS, STATUSES, type DemoProgress } from '../../src/demo/index.js';
import { governed } from './contract.js';
import { TEST_DATABASE_URL, uniqueSchema, withAdminClient } from './pg-test-helpers.js';

const ORDERS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'perch-demo-test-'));
const first = join(dir, 'first.duckdb');
const second = join(dir, 'second.duckdb');
const schema = uniqueSchema('perch_demo_pg');

/** Every value of every table, reduced to one digest per table, computed by DuckDB itself. */
const CHECKSUM_SQL = `
  SELECT 'orders' AS t, COUNT(*) AS n, md5(string_agg(concat_ws('|', order_id, customer_id, product_id, region, department, channel, status, quantity, amount, ordered_at), ',' ORDER BY order_id)) AS digest FROM orders
  UNION ALL SELECT 'customers', COUNT(*), md5(string_agg(concat_ws('|', customer_id, name, region, segment, country), ',' ORDER BY customer_id)) FROM customers
  UNION ALL SELECT 'products', COUNT(*), md5(string_agg(concat_ws('|', product_id, name, category, unit_price), ',' ORDER BY product_id)) FROM products
  ORDER BY t`;

const PER_TENANT = (table: (name: string) => string): string => `
  SELECT customer_id, COUNT(*) AS orders, ROUND(CAST(SUM(amount) AS NUMERIC), 2) AS revenue, SUM(quantity) AS units,
         MIN(ordered_at) AS first_order, MAX(ordered_at) AS last_order, COUNT(DISTINCT product_id) AS products
  FROM ${table('orders')} GROUP BY customer_id ORDER BY customer_id`;

describe('demo warehouse', () => {
  const progress: DemoProgress[] = [];
  let duck: Connector;

  beforeAll(async () => {
    await generateDemoWarehouse({ path: first, orders: ORDERS, quiet: true, onProgress: (p) => progress.push(p) });
    await generateDemoWarehouse({ path: second, orders: ORDERS, quiet: true });
    duck = await createConnector({ type: 'duckdb', path: first, readOnly: true });
  });
  afterAll(async () => {
    await duck?.close();
    rmSync(dir, { recursive: true, force: true });
    await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
  });

  it('is deterministic: two generations give identical table contents', async () => {
    const other = await createConnector({ type: 'duckdb', path: second, readOnly: true });
    try {
      const a = await duck.execute(governed('duckdb', CHECKSUM_SQL));
      const b = await other.execute(governed('duckdb', CHECKSUM_SQL));
      expect(a.rows.map((r) => r.n)).toEqual([CUSTOMERS.length, ORDERS, 200]);
      expect(a.rows).toEqual(b.rows);
    } finally {
      await other.close();
    }
  });

  it('skips work when the file already holds this version and row count, and rebuilds when the count changes', async () => {
    const before = statSync(second).mtimeMs;
    const again = await generateDemoWarehouse({ path: second, orders: ORDERS, quiet: true });
    expect(again.generated).toBe(false);
    expect(statSync(second).mtimeMs).toBe(before);
    const resized = await generateDemoWarehouse({ path: second, orders: 1_000, quiet: true });
    expect(resized).toMatchObject({ generated: true, orders: 1_000 });
  });

  it('reports progress up to the full row count', () => {
    expect(progress.at(-1)).toEqual({ phase: 'generate', done: ORDERS, total: ORDERS });
  });

  it('honours the warehouse contract (tenants, vocabularies, 2-decimal amounts, 3 years before the anchor)', async () => {
    const q = async (sql: string) => (await duck.execute(governed('duckdb', sql))).rows;
    expect((await q('SELECT customer_id FROM customers ORDER BY customer_id')).map((r) => r.customer_id)).toEqual(CUSTOMERS.map((c) => c.customer_id).sort());
    expect((await q('SELECT COUNT(DISTINCT customer_id) AS n FROM orders'))[0]?.n).toBe(CUSTOMERS.length);
    const distinct = async (column: string) => (await q(`SELECT DISTINCT ${column} AS v FROM orders ORDER BY v`)).map((r) => r.v);
    expect(await distinct('region')).toEqual([...REGIONS].sort());
    expect(await distinct('department')).toEqual([...DEPARTMENTS].sort());
    expect(await distinct('status')).toEqual([...STATUSES].sort());
    expect(await distinct('channel')).toEqual([...CHANNELS].sort());
    const [range] = await q(
      'SELECT MIN(ordered_at) AS lo, MAX(ordered_at) AS hi, MIN(amount) AS min_amount, COUNT(*) FILTER (WHERE amount <> ROUND(amount, 2)) AS unrounded, COUNT(*) FILTER (WHERE o.product_id NOT IN (SELECT product_id FROM products)) AS orphans FROM orders o',
    );
    expect(String(range?.lo) >= '2023-10-31T00:00:00.000Z').toBe(true);
    expect(String(range?.hi) < '2026-10-31T00:00:00.000Z').toBe(true);
    expect(Number(range?.min_amount)).toBeGreaterThan(0);
    expect(range?.unrounded).toBe(0);
    expect(range?.orphans).toBe(0);
  });

  it('ends yesterday for a given today, with the same rows shifted by whole days, and regenerates once it is more than three days old', async () => {
    const moving = join(dir, 'moving.duckdb');
    const fixed = join(dir, 'fixed.duckdb');
    const today = '2027-03-05T14:30:00Z';
    const made = await generateDemoWarehouse({ path: moving, orders: ORDERS, quiet: true, today });
    await generateDemoWarehouse({ path: fixed, orders: ORDERS, quiet: true });
    expect(made).toMatchObject({ generated: true, anchorDate: '2027-03-05' });
    const a = await createConnector({ type: 'duckdb', path: moving, readOnly: true });
    const b = await createConnector({ type: 'duckdb', path: fixed, readOnly: true });
    try {
      const [range] = (await a.execute(governed('duckdb', 'SELECT CAST(MIN(ordered_at) AS DATE) AS lo, CAST(MAX(ordered_at) AS DATE) AS hi FROM orders'))).rows;
      expect(String(range?.lo) >= historyStartFor('2027-03-05')).toBe(true);
      // The last day with orders is the day before "today".
      expect(String(range?.hi).slice(0, 10)).toBe('2027-03-04');
      const rows = (c: Connector) => c.execute(governed('duckdb', 'SELECT order_id, customer_id, amount, epoch(ordered_at) AS at FROM orders ORDER BY order_id'));
      const [movingRows, fixedRows] = [(await rows(a)).rows, (await rows(b)).rows];
      const shift = (Date.parse('2027-03-05T00:00:00Z') - Date.parse(`${ANCHOR_DATE}T00:00:00Z`)) / 1000;
      expect(movingRows.map((r) => [r.order_id, r.customer_id, r.amount])).toEqual(fixedRows.map((r) => [r.order_id, r.customer_id, r.amount]));
      expect(new Set(movingRows.map((r, i) => Number(r.at) - Number(fixedRows[i]!.at)))).toEqual(new Set([shift]));
    } finally {
      await a.close();
      await b.close();
    }
    expect((await generateDemoWarehouse({ path: moving, orders: ORDERS, quiet: true, today: '2027-03-08' })).generated).toBe(false);
    expect(await generateDemoWarehouse({ path: moving, orders: ORDERS, quiet: true, today: '2027-03-09' })).toMatchObject({ generated: true, anchorDate: '2027-03-09' });
    // A fixed-anchor request (tests) never accepts a moving warehouse.
    expect((await generateDemoWarehouse({ path: moving, orders: ORDERS, quiet: true })).anchorDate).toBe(ANCHOR_DATE);
  });

  it('loads identical data into PostgreSQL: the same per-tenant aggregates on both connectors', async () => {
    const loaded = await loadDemoIntoPostgres({ url: TEST_DATABASE_URL, schema, sourcePath: first, quiet: true });
    expect(loaded).toEqual({ schema, orders: ORDERS, loaded: true });
    const again = await loadDemoIntoPostgres({ url: TEST_DATABASE_URL, schema, sourcePath: first, quiet: true });
    expect(again.loaded).toBe(false);

    const postgres = await createConnector({ type: 'postgres', url: TEST_DATABASE_URL });
    try {
      const fromDuck = await duck.execute(governed('duckdb', PER_TENANT((t) => t)));
      const fromPg = await postgres.execute(governed('postgres', PER_TENANT((t) => `${schema}.${t}`)));
      expect(fromDuck.rows).toHaveLength(CUSTOMERS.length);
      expect(fromPg.rows).toEqual(fromDuck.rows);
      expect(fromPg.columns).toEqual(fromDuck.columns);
      const rowsOf = async (connector: Connector, table: string) =>
        (await connector.execute(governed(connector.dialect, `SELECT * FROM ${table} WHERE order_id IN (1, 777, ${ORDERS}) ORDER BY order_id`))).rows;
      expect(await rowsOf(postgres, `${schema}.orders`)).toEqual(await rowsOf(duck, 'orders'));
    } finally {
      await postgres.close();
    }
  });
});
