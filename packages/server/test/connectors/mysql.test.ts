import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { MySqlCompiler } from '../../../engine/src/compiler/mysql.js';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { governed, runConnectorContract } from './contract.js';
import { CANARY, fixtureStatements } from './fixture.js';
import { mysqlUrlFor, TEST_MYSQL_URL, uniqueDatabase, withMySqlAdmin } from './mysql-test-helpers.js';
import { TcpProxy } from './pg-test-helpers.js';

const database = uniqueDatabase('perch_conn_my');
const table = 'items';
const url = mysqlUrlFor(database);

beforeAll(async () => {
  await withMySqlAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.query(`USE \`${database}\``);
    for (const statement of fixtureStatements(table, 'mysql')) await admin.query(statement);
  });
});
afterAll(async () => {
  await withMySqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${database}\``));
});

runConnectorContract('mysql (MariaDB)', async () => ({
  connector: await createConnector({ type: 'mysql', url, poolSize: 4 }),
  table,
}));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof PerchError ? error.code : error === undefined ? undefined : `non-perch: ${String(error)}`;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('mysql connector isolation', () => {
  let connector: Connector;
  beforeAll(async () => {
    // One pooled connection, so consecutive requests are guaranteed to share it.
    connector = await createConnector({ type: 'mysql', url, poolSize: 1 });
  });
  afterAll(() => connector.close());

  const countRows = async (): Promise<number> => withMySqlAdmin(async (admin) => Number(((await admin.query(`SELECT COUNT(*) AS n FROM \`${database}\`.${table}`))[0] as Array<{ n: number }>)[0]!.n));

  it('runs governed SQL read-only: writes and DDL fail and nothing changes', async () => {
    const before = await countRows();
    expect(await codeOf(connector.execute(governed('mysql', `INSERT INTO ${table} (id, tenant) VALUES (101, 'evil')`)))).toBe('internal_error');
    expect(await codeOf(connector.execute(governed('mysql', `UPDATE ${table} SET note = 'evil' WHERE id = 1`)))).toBe('internal_error');
    expect(await codeOf(connector.execute(governed('mysql', `CREATE TABLE evil_${process.pid} (id INT)`)))).toBe('internal_error');
    expect(await countRows()).toBe(before);
    const tables = await withMySqlAdmin(async (admin) => (await admin.query('SELECT table_name FROM information_schema.tables WHERE table_schema = ?', [database]))[0] as unknown[]);
    expect(tables).toHaveLength(1);
  });

  it('refuses a second statement: multiple statements stay off', async () => {
    expect(await codeOf(connector.execute(governed('mysql', `SELECT 1 AS one; DELETE FROM ${table}`)))).toBe('internal_error');
    expect(await countRows()).toBe(6);
  });

  it('binds a value that carries SQL as data, and keeps the canary out', async () => {
    const result = await connector.execute(governed('mysql', `SELECT id, note FROM ${table} WHERE tenant = ?`, ["acme' UNION SELECT id, note FROM items WHERE '1'='1"]));
    expect(result.rows).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(CANARY);
  });

  it('keeps no session state between requests: the time limit and the transaction end with the request', async () => {
    const inside = await connector.execute(governed('mysql', 'SELECT @@max_statement_time AS limit_s, @@in_transaction AS in_tx, @@tx_read_only AS ro, @@time_zone AS tz'), { timeoutMs: 1234 });
    expect(inside.rows).toEqual([{ limit_s: 1.234, in_tx: 1, ro: 1, tz: '+00:00' }]);
    const next = await connector.execute(governed('mysql', 'SELECT @@max_statement_time AS limit_s'), { timeoutMs: 30_000 });
    expect(next.rows).toEqual([{ limit_s: 30 }]);
    // Outside any Perch statement, the pooled session is back at the server default and idle.
    const server = await withMySqlAdmin(async (admin) => ((await admin.query('SELECT @@global.max_statement_time AS g'))[0] as Array<{ g: string | number }>)[0]!.g);
    expect(Number(server)).not.toBe(1.234);
  });

  it('rolls back after a failed query so the connection is clean for the next one', async () => {
    expect(await codeOf(connector.execute(governed('mysql', 'SELECT no_such_column FROM items')))).toBe('internal_error');
    const result = await connector.execute(governed('mysql', `SELECT COUNT(*) AS n FROM ${table} WHERE tenant = ?`, ['acme']));
    expect(result.rows).toEqual([{ n: 3 }]);
  });

  it('reports column types from metadata even with zero rows (the startup column probe)', async () => {
    const probe = await connector.execute(governed('mysql', `SELECT tenant, amount, qty, price, active, created_at, day FROM ${table} WHERE FALSE`));
    expect(probe.rows).toEqual([]);
    expect(probe.columns).toEqual([
      { name: 'tenant', type: 'string' },
      { name: 'amount', type: 'number' },
      { name: 'qty', type: 'number' },
      { name: 'price', type: 'number' },
      { name: 'active', type: 'boolean' },
      { name: 'created_at', type: 'time' },
      { name: 'day', type: 'time' },
    ]);
  });

  it('kills the statement on the server when the caller aborts (no orphaned query)', async () => {
    const controller = new AbortController();
    const running = connector.execute(governed('mysql', 'SELECT SLEEP(29.25) AS s'), { signal: controller.signal });
    await pause(200);
    controller.abort();
    expect(await codeOf(running)).toBe('query_cancelled');
    const deadline = Date.now() + 3_000;
    let still = 1;
    while (still > 0 && Date.now() < deadline) {
      still = await withMySqlAdmin(async (admin) =>
        Number(((await admin.query("SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE '%SLEEP(29.25)%' AND id <> CONNECTION_ID()"))[0] as Array<{ n: number }>)[0]!.n),
      );
      if (still > 0) await pause(50);
    }
    expect(still).toBe(0);
  });

  it('buckets a UTC DATETIME by day in UTC and in a named zone (the compiler\'s CONVERT_TZ spelling)', async () => {
    // 2026-01-31 00:00 UTC is still 30 January in New York. Named zones need the server's zone
    // tables, which .ci/run loads; without them this test fails rather than passing on NULLs.
    const day = new MySqlCompiler().dateTrunc('day', 'created_at', '?');
    const bucket = async (zone: string) => (await connector.execute(governed('mysql', `SELECT ${day} AS d FROM ${table} WHERE id = ?`, [zone, 1]))).rows;
    expect(await bucket('+00:00')).toEqual([{ d: '2026-01-31T00:00:00.000Z' }]);
    expect(await bucket('America/New_York')).toEqual([{ d: '2026-01-30T00:00:00.000Z' }]);
  });

  it("turns the server's own statement time limit into query_timeout", async () => {
    // Generous client deadline, short server limit: the server stops the statement first.
    expect(await codeOf(connector.execute(governed('mysql', 'SELECT SLEEP(5) AS s'), { timeoutMs: 200 }))).toBe('query_timeout');
    const after = await connector.execute(governed('mysql', 'SELECT 1 AS one'));
    expect(after.rows).toEqual([{ one: 1 }]);
  });
});

describe('mysql connector availability', () => {
  const target = new URL(TEST_MYSQL_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 3306));
  let connector: Connector;

  beforeAll(async () => {
    await proxy.up();
    connector = await createConnector({ type: 'mysql', url: proxy.urlFor(url), poolSize: 2, connectTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await connector.close();
    await proxy.down();
  });

  const probe = governed('mysql', `SELECT COUNT(*) AS n FROM ${table}`);

  async function untilWorking(): Promise<unknown> {
    const deadline = Date.now() + 5_000;
    let outcome: unknown;
    while (Date.now() < deadline) {
      outcome = await connector.execute(probe).catch((e: unknown) => e);
      if (!(outcome instanceof Error)) break;
      await pause(100);
    }
    return outcome;
  }

  it('answers 503 datasource_unavailable fast while the server is down, and recovers when it is back', async () => {
    expect((await connector.execute(probe)).rows).toEqual([{ n: 6 }]);
    await connector.ping();

    await proxy.down();
    const started = Date.now();
    // The pooled connection died with the proxy; the first call may see that, later ones the refusal.
    for (let i = 0; i < 2; i++) {
      const down = await connector.execute(probe).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(PerchError);
      expect((down as PerchError).code).toBe('datasource_unavailable');
      expect((down as PerchError).status).toBe(503);
      expect((down as PerchError).message).not.toContain('ECONNREFUSED');
    }
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await codeOf(connector.ping())).toBe('datasource_unavailable');

    await proxy.up();
    expect(await untilWorking()).toEqual({ columns: [{ name: 'n', type: 'number' }], rows: [{ n: 6 }], truncated: false });
  });

  it('fails a query in flight with datasource_unavailable when the connection drops', async () => {
    const running = connector.execute(governed('mysql', 'SELECT SLEEP(3) AS s'), { timeoutMs: 10_000 });
    await pause(200);
    await proxy.down();
    expect(await codeOf(running)).toBe('datasource_unavailable');
    await proxy.up();
    expect(await untilWorking()).toEqual({ columns: [{ name: 'n', type: 'number' }], rows: [{ n: 6 }], truncated: false });
  });
});
