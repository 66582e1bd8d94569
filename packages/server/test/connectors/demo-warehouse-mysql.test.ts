import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { ANCHOR_DATE, CUSTOMERS, generateDemoWarehouse, loadDemoIntoMysql, mysqlTableDdl } from '../../src/demo/index.js';
import { governed } from './contract.js';
import { mysqlUrlFor, uniqueDatabase, withMySqlAdmin } from './mysql-test-helpers.js';

const ORDERS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'perch-demo-my-'));
const path = join(dir, 'demo.duckdb');
const database = uniqueDatabase('perch_demo_my');

/** Per-tenant aggregates, spelled for each side (MySQL has no NUMERIC cast target). */
const PER_TENANT = (numeric: string): string => `
  SELECT customer_id, COUNT(*) AS orders, ROUND(CAST(SUM(amount) AS ${numeric}), 2) AS revenue, SUM(quantity) AS units,
         MIN(ordered_at) AS first_order, MAX(ordered_at) AS last_order, COUNT(DISTINCT product_id) AS products
  FROM orders GROUP BY customer_id ORDER BY customer_id`;

describe('demo warehouse in MySQL/MariaDB', () => {
  let duck: Connector;
  let mysqlConnector: Connector;

  beforeAll(async () => {
    await generateDemoWarehouse({ path, orders: ORDERS, quiet: true });
    duck = await createConnector({ type: 'duckdb', path, readOnly: true });
  });
  afterAll(async () => {
    await duck?.close();
    await mysqlConnector?.close();
    rmSync(dir, { recursive: true, force: true });
    await withMySqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${database}\``));
  });

  it('spells the shared tables for MySQL: backticked names, sized keys, DATETIME, binary collation', () => {
    expect(mysqlTableDdl('perch_meta')).toBe('CREATE TABLE `perch_meta` (`key` VARCHAR(191) PRIMARY KEY, `value` VARCHAR(191) NOT NULL) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin');
    expect(mysqlTableDdl('orders')).toContain('`ordered_at` DATETIME NOT NULL');
  });

  it('loads identical data: the same per-tenant aggregates and rows as DuckDB, and skips a current database', async () => {
    const url = mysqlUrlFor(database);
    expect(await loadDemoIntoMysql({ url, sourcePath: path, quiet: true })).toEqual({ schema: database, orders: ORDERS, loaded: true });
    expect((await loadDemoIntoMysql({ url, sourcePath: path, quiet: true })).loaded).toBe(false);
    // The copy records the warehouse's anchor, as PostgreSQL's does, so a regenerated one is copied again.
    const anchor = await withMySqlAdmin(async (admin) => ((await admin.query(`SELECT \`value\` FROM \`${database}\`.perch_meta WHERE \`key\` = 'anchor_date'`))[0] as Array<{ value: string }>)[0]?.value);
    expect(anchor).toBe(ANCHOR_DATE);

    mysqlConnector = await createConnector({ type: 'mysql', url });
    const fromDuck = await duck.execute(governed('duckdb', PER_TENANT('NUMERIC')));
    const fromMysql = await mysqlConnector.execute(governed('mysql', PER_TENANT('DECIMAL(20,4)')));
    expect(fromDuck.rows).toHaveLength(CUSTOMERS.length);
    expect(fromMysql.rows).toEqual(fromDuck.rows);
    expect(fromMysql.columns).toEqual(fromDuck.columns);
    const rowsOf = async (connector: Connector) => (await connector.execute(governed(connector.dialect, `SELECT * FROM orders WHERE order_id IN (1, 777, ${ORDERS}) ORDER BY order_id`))).rows;
    expect(await rowsOf(mysqlConnector)).toEqual(await rowsOf(duck));
    const customers = async (connector: Connector) => (await connector.execute(governed(connector.dialect, 'SELECT * FROM customers ORDER BY customer_id'))).rows;
    expect(await customers(mysqlConnector)).toEqual(await customers(duck));
  });

  it('refuses a database name that is not a plain identifier (it is written into DDL)', async () => {
    await expect(loadDemoIntoMysql({ url: mysqlUrlFor('demo'), database: 'x`; DROP DATABASE test; --', sourcePath: path, quiet: true })).rejects.toThrow(RangeError);
  });
});
