import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { sealGoverned, type DialectName, type GovernedSql, type SqlParameter } from '../../../engine/src/governed.js';
import type { Connector } from '../../src/connectors/index.js';
import { CANARY, EXPECTED_COLUMNS, EXPECTED_ROWS } from './fixture.js';
import { TcpProxy } from './tcp-proxy.js';

export interface ContractSubject {
  connector: Connector;
  /** The fixture table, qualified as the dialect needs (see fixture.ts). */
  table: string;
}

interface DialectSpelling {
  /** Test SQL is written with `$n` placeholders; MySQL's are `?`, in the same order. */
  placeholders: (sql: string) => string;
  /** Membership in a list bound as one parameter. */
  inList: (column: string, param: string) => string;
  /** The dialect's other whole-list form (`= ANY($n)`); MySQL has no arrays, so `IN (?)` again. */
  anyList: (column: string, param: string) => string;
  castText: (param: string) => string;
  castTimestamp: (param: string) => string;
  slowQuery: string;
}

const DOLLAR = /\$(\d+)/g;

/** `$1 … $n` to `?`, refusing SQL that uses them out of order (a `?` binds by position). */
function questionMarks(sql: string): string {
  let expected = 1;
  return sql.replace(DOLLAR, (_, n: string) => {
    if (Number(n) !== expected++) throw new Error(`contract SQL must number its placeholders in order: ${sql}`);
    return '?';
  });
}

/** The few constructs whose spelling differs per dialect; a new connector adds its own here. */
const DIALECT_SQL: Record<DialectName, DialectSpelling> = {
  duckdb: {
    placeholders: (sql) => sql,
    inList: (column, param) => `list_contains(${param}, ${column})`,
    anyList: (column, param) => `${column} = ANY(${param})`,
    castText: (param) => `CAST(${param} AS VARCHAR)`,
    castTimestamp: (param) => `CAST(${param} AS TIMESTAMP)`,
    slowQuery: 'SELECT sum(a.range * b.range) AS s FROM range(200000000) a, range(1000) b',
  },
  postgres: {
    placeholders: (sql) => sql,
    inList: (column, param) => `${column} = ANY(${param})`,
    anyList: (column, param) => `${column} = ANY(${param})`,
    castText: (param) => `CAST(${param} AS VARCHAR)`,
    castTimestamp: (param) => `CAST(${param} AS TIMESTAMP)`,
    slowQuery: 'SELECT pg_sleep(30) IS NULL AS s',
  },
  mysql: {
    placeholders: questionMarks,
    inList: (column, param) => `${column} IN (${param})`,
    anyList: (column, param) => `${column} IN (${param})`,
    castText: (param) => `CAST(${param} AS CHAR)`,
    castTimestamp: (param) => `CAST(${param} AS DATETIME(3))`,
    slowQuery: 'SELECT SLEEP(30) AS s',
  },
};

export function governed(dialect: DialectName, sql: string, parameters: SqlParameter[] = []): GovernedSql {
  return sealGoverned({ dialect, sql, parameters, policiesApplied: ['test'] });
}

async function expectPerchError(promise: Promise<unknown>, code: string): Promise<PerchError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PerchError);
  expect((error as PerchError).code).toBe(code);
  return error as PerchError;
}

/**
 * The one suite every connector passes. `makeConnector` loads fixture.ts's dataset and returns
 * a fresh connector; the suite closes it.
 */
export function runConnectorContract(name: string, makeConnector: () => Promise<ContractSubject>): void {
  describe(`connector contract: ${name}`, () => {
    let connector: Connector;
    let table: string;
    let dialect: DialectName;
    let sql: (typeof DIALECT_SQL)[DialectName];
    const q = (text: string, parameters: SqlParameter[] = []): GovernedSql => governed(dialect, sql.placeholders(text), parameters);

    beforeAll(async () => {
      ({ connector, table } = await makeConnector());
      dialect = connector.dialect;
      sql = DIALECT_SQL[dialect];
    });
    afterAll(async () => {
      await connector?.close();
    });

    it('pings', async () => {
      await expect(connector.ping()).resolves.toBeUndefined();
    });

    it('normalises every value type identically', async () => {
      const result = await connector.execute(q(`SELECT * FROM ${table} ORDER BY id`));
      expect(result.columns).toEqual(EXPECTED_COLUMNS);
      expect(result.rows).toEqual(EXPECTED_ROWS);
      expect(result.truncated).toBe(false);
    });

    it('normalises aggregates (bigint counts, numeric sums) to numbers', async () => {
      const result = await connector.execute(
        q(`SELECT tenant, COUNT(*) AS n, SUM(qty) AS total_qty, SUM(price) AS total_price, MAX(created_at) AS latest FROM ${table} GROUP BY tenant ORDER BY tenant`),
      );
      expect(result.columns.map((c) => c.type)).toEqual(['string', 'number', 'number', 'number', 'time']);
      expect(result.rows).toEqual([
        { tenant: 'acme', n: 3, total_qty: 3 + 9007199254740991, total_price: 3.85, latest: '2026-02-01T12:30:45.123Z' },
        { tenant: 'globex', n: 2, total_qty: 9, total_price: 9.55, latest: '2026-04-01T00:00:00.000Z' },
        { tenant: 'initech', n: 1, total_qty: 0, total_price: 0, latest: '1999-12-31T23:59:59.000Z' },
      ]);
    });

    it('binds a string and keeps other tenants out (canary)', async () => {
      const result = await connector.execute(q(`SELECT id, note FROM ${table} WHERE tenant = $1 ORDER BY id`, ['acme']));
      expect(result.rows.map((r) => r.id)).toEqual([1, 2, 3]);
      expect(JSON.stringify(result)).not.toContain(CANARY);
    });

    it('treats a bound value as data, never as SQL', async () => {
      const result = await connector.execute(q(`SELECT id FROM ${table} WHERE tenant = $1`, ["acme' OR '1'='1"]));
      expect(result.rows).toEqual([]);
    });

    it('binds a value that carries SQL as data, and keeps the canary out', async () => {
      const result = await connector.execute(q(`SELECT id, note FROM ${table} WHERE tenant = $1`, ["acme' UNION SELECT id, note FROM items WHERE '1'='1"]));
      expect(result.rows).toEqual([]);
      expect(JSON.stringify(result)).not.toContain(CANARY);
    });

    it('reports column types from metadata even with zero rows (the startup column probe)', async () => {
      const probe = await connector.execute(q(`SELECT tenant, amount, qty, price, active, created_at, day FROM ${table} WHERE 1 = 0`));
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

    it('binds integers against INTEGER and BIGINT columns and fractions against DOUBLE', async () => {
      const byId = await connector.execute(q(`SELECT id FROM ${table} WHERE id = $1`, [5]));
      expect(byId.rows).toEqual([{ id: 5 }]);
      const byQty = await connector.execute(q(`SELECT id FROM ${table} WHERE qty = $1`, [9007199254740991]));
      expect(byQty.rows).toEqual([{ id: 3 }]);
      const byAmount = await connector.execute(q(`SELECT id FROM ${table} WHERE amount > $1 AND amount < $2 ORDER BY id`, [10.25, 999.995]));
      expect(byAmount.rows).toEqual([{ id: 1 }, { id: 2 }, { id: 4 }]);
      const intVsDouble = await connector.execute(q(`SELECT id FROM ${table} WHERE amount >= $1 ORDER BY id`, [999]));
      expect(intVsDouble.rows).toEqual([{ id: 4 }, { id: 5 }]);
    });

    it('binds booleans and null', async () => {
      const active = await connector.execute(q(`SELECT id FROM ${table} WHERE active = $1 ORDER BY id`, [true]));
      expect(active.rows.map((r) => r.id)).toEqual([1, 3, 4]);
      const nulls = await connector.execute(q(`SELECT id FROM ${table} WHERE (${sql.castText('$1')} IS NULL AND note IS NULL) ORDER BY id`, [null]));
      expect(nulls.rows).toEqual([{ id: 2 }]);
    });

    it('binds a Date as an instant and compares it with TIMESTAMP columns', async () => {
      const from = new Date('2026-01-31T00:00:00.000Z');
      const to = new Date('2026-03-15T08:00:00.000Z');
      const result = await connector.execute(q(`SELECT id FROM ${table} WHERE created_at >= $1 AND created_at < $2 ORDER BY id`, [from, to]));
      expect(result.rows.map((r) => r.id)).toEqual([1, 2]);
      const echoed = await connector.execute(q(`SELECT ${sql.castTimestamp('$1')} AS t`, [new Date('2026-02-01T12:30:45.123Z')]));
      expect(echoed.rows).toEqual([{ t: '2026-02-01T12:30:45.123Z' }]);
      expect(echoed.columns).toEqual([{ name: 't', type: 'time' }]);
    });

    it('binds string, number and empty arrays as lists', async () => {
      const strings = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.inList('tenant', '$1')} ORDER BY id`, [['acme', 'initech']]));
      expect(strings.rows.map((r) => r.id)).toEqual([1, 2, 3, 6]);
      const numbers = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.inList('id', '$1')} ORDER BY id`, [[2, 4, 6]]));
      expect(numbers.rows.map((r) => r.id)).toEqual([2, 4, 6]);
      const fractions = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.inList('amount', '$1')} ORDER BY id`, [[10.5, -3.75]]));
      expect(fractions.rows.map((r) => r.id)).toEqual([1, 3]);
      const empty = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.inList('tenant', '$1')}`, [[]]));
      expect(empty.rows).toEqual([]);
    });

    it('accepts the whole-list form (`column = ANY($n)`; MySQL, which has no arrays: `IN (?)`)', async () => {
      const strings = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.anyList('tenant', '$1')} ORDER BY id`, [['globex']]));
      expect(strings.rows.map((r) => r.id)).toEqual([4, 5]);
      const numbers = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.anyList('id', '$1')} ORDER BY id`, [[1, 6]]));
      expect(numbers.rows.map((r) => r.id)).toEqual([1, 6]);
      const empty = await connector.execute(q(`SELECT id FROM ${table} WHERE ${sql.anyList('tenant', '$1')}`, [[]]));
      expect(empty.rows).toEqual([]);
    });

    it('truncates at maxRows and says so', async () => {
      const cut = await connector.execute(q(`SELECT id FROM ${table} ORDER BY id`), { maxRows: 2 });
      expect(cut).toEqual({ columns: [{ name: 'id', type: 'number' }], rows: [{ id: 1 }, { id: 2 }], truncated: true });
      const exact = await connector.execute(q(`SELECT id FROM ${table} ORDER BY id`), { maxRows: 6 });
      expect(exact.rows).toHaveLength(6);
      expect(exact.truncated).toBe(false);
      const none = await connector.execute(q(`SELECT id FROM ${table}`), { maxRows: 0 });
      expect(none.rows).toEqual([]);
      expect(none.truncated).toBe(true);
    });

    it('stops a slow query at its timeout with query_timeout, then keeps working', async () => {
      const started = Date.now();
      await expectPerchError(connector.execute(q(sql.slowQuery), { timeoutMs: 300 }), 'query_timeout');
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = await connector.execute(q(`SELECT COUNT(*) AS n FROM ${table}`));
      expect(after.rows).toEqual([{ n: 6 }]);
    });

    it('cancels a running query on abort with query_cancelled, then keeps working', async () => {
      const controller = new AbortController();
      const started = Date.now();
      const running = connector.execute(q(sql.slowQuery), { signal: controller.signal, timeoutMs: 20_000 });
      setTimeout(() => controller.abort(), 200);
      await expectPerchError(running, 'query_cancelled');
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = await connector.execute(q(`SELECT COUNT(*) AS n FROM ${table}`));
      expect(after.rows).toEqual([{ n: 6 }]);
    });

    it('refuses to start when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectPerchError(connector.execute(q(`SELECT 1 AS one`), { signal: controller.signal }), 'query_cancelled');
    });

    it('runs concurrent executes, each with its own parameters and results', async () => {
      const ids = [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6];
      const results = await Promise.all(ids.map((id) => connector.execute(q(`SELECT id, tenant FROM ${table} WHERE id = $1`, [id]))));
      results.forEach((result, i) => {
        const id = ids[i];
        expect(result.rows).toEqual([{ id, tenant: EXPECTED_ROWS.find((row) => row.id === id)?.tenant }]);
      });
    });

    it('reports a failing query without SQL text or driver messages in the client message', async () => {
      const error = await expectPerchError(connector.execute(q(`SELECT secret_column_xyz FROM ${table} WHERE tenant = $1`, ['acme'])), 'internal_error');
      const clientView = JSON.stringify({ code: error.code, message: error.message, path: error.path });
      for (const leak of ['secret_column_xyz', 'SELECT', table, 'acme']) expect(clientView).not.toContain(leak);
      expect(error.detail).toContain('secret_column_xyz');
    });

    it('refuses a query compiled for another dialect', async () => {
      const other: DialectName = dialect === 'duckdb' ? 'postgres' : 'duckdb';
      await expectPerchError(connector.execute(governed(other, 'SELECT 1')), 'internal_error');
    });
  });
}

/** Statements that only a database server has: a sleep that runs until stopped. */
const SERVER_SQL: Record<ServerDialect, { sleep: (seconds: number) => string }> = {
  postgres: { sleep: (seconds) => `SELECT pg_sleep(${seconds}) IS NULL AS s` },
  mysql: { sleep: (seconds) => `SELECT SLEEP(${seconds}) AS s` },
};

export type ServerDialect = Exclude<DialectName, 'duckdb'>;

/** What the server suite needs beyond the contract's subject: fresh connectors and the server's own view. */
export interface ServerSubject {
  dialect: ServerDialect;
  /** The fixture database's URL; the outage tests reach it through a proxy they can take down. */
  url: string;
  /** The fixture table, qualified as the dialect needs. */
  table: string;
  /** A new connector on `url` (the proxy's URL in the outage tests). */
  connect(options: { url: string; poolSize: number; connectTimeoutMs?: number }): Promise<Connector>;
  /** The fixture table's rows and the fixture schema's (MySQL: database's) tables, counted by an admin connection. */
  countRows(): Promise<number>;
  countTables(): Promise<number>;
  /**
   * Statements of the suite's connectors still running on the server, the admin's own excepted;
   * `marker` is text of the statement, for servers that show it (MySQL's processlist does;
   * PostgreSQL shows the cursor's FETCH, so its connectors are found by application_name).
   */
  runningStatements(marker: string): Promise<number>;
  /** Writes the read-only transaction must refuse, in this dialect (e.g. a function that writes). */
  writes: string[];
  /** A query the server refuses while running it. */
  failing: string;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof PerchError ? error.code : error === undefined ? undefined : `non-perch: ${String(error)}`;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The part of the contract that only connectors to a database server pass (PostgreSQL, MySQL):
 * read-only execution, a clean pooled connection after failures, statements stopped on the server
 * when the caller aborts or the server's own time limit ends them, and fast 503s while the
 * server is down with recovery when it is back. Each test file keeps only what its dialect alone
 * has (session settings, time zones).
 *
 * @example
 * runServerConnectorContract(() => ({ dialect: 'postgres', url, table, connect, countRows, countTables, runningStatements, writes, failing }));
 */
export function runServerConnectorContract(makeSubject: () => ServerSubject): void {
  const subject = makeSubject();
  const { dialect, table } = subject;
  const sleep = SERVER_SQL[dialect].sleep;
  const q = (text: string, parameters: SqlParameter[] = []): GovernedSql => governed(dialect, DIALECT_SQL[dialect].placeholders(text), parameters);

  describe(`server connector contract: ${dialect}, isolation`, () => {
    let connector: Connector;
    beforeAll(async () => {
      // One pooled connection, so consecutive requests are guaranteed to share it.
      connector = await subject.connect({ url: subject.url, poolSize: 1 });
    });
    afterAll(() => connector?.close());

    it('runs governed SQL read-only: writes and DDL fail and nothing changes', async () => {
      const rows = await subject.countRows();
      const tables = await subject.countTables();
      for (const write of subject.writes) expect(await codeOf(connector.execute(q(write))), write).toBe('internal_error');
      expect(await subject.countRows()).toBe(rows);
      expect(await subject.countTables()).toBe(tables);
    });

    it('refuses a second statement: nothing after the first runs', async () => {
      expect(await codeOf(connector.execute(q(`SELECT 1 AS one; DELETE FROM ${table}`)))).toBe('internal_error');
      expect(await subject.countRows()).toBe(6);
    });

    it('rolls back after a failed query so the connection is clean for the next one', async () => {
      expect(await codeOf(connector.execute(q(subject.failing)))).toBe('internal_error');
      const result = await connector.execute(q(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant = $1`, ['acme']));
      expect(result.rows).toEqual([{ n: 3 }]);
    });

    it('stops the statement on the server when the caller aborts (no orphaned query)', async () => {
      const controller = new AbortController();
      const running = connector.execute(q(sleep(29.25)), { signal: controller.signal });
      await pause(200);
      // The server's own view sees the statement first, so the zero below is not a probe that never matches.
      expect(await subject.runningStatements('sleep(29.25)')).toBe(1);
      controller.abort();
      expect(await codeOf(running)).toBe('query_cancelled');
      const deadline = Date.now() + 3_000;
      let still = 1;
      while (still > 0 && Date.now() < deadline) {
        still = await subject.runningStatements('sleep(29.25)');
        if (still > 0) await pause(50);
      }
      expect(still).toBe(0);
    });

    it("turns the server's own statement time limit into query_timeout", async () => {
      // Generous client deadline, short server limit: the server stops the statement first.
      expect(await codeOf(connector.execute(q(sleep(5)), { timeoutMs: 200 }))).toBe('query_timeout');
      const after = await connector.execute(q('SELECT 1 AS one'));
      expect(after.rows).toEqual([{ one: 1 }]);
    });
  });

  describe(`server connector contract: ${dialect}, availability`, () => {
    const target = new URL(subject.url);
    const proxy = new TcpProxy(target.hostname, Number(target.port || (dialect === 'postgres' ? 5432 : 3306)));
    let connector: Connector;

    beforeAll(async () => {
      await proxy.up();
      connector = await subject.connect({ url: proxy.urlFor(subject.url), poolSize: 2, connectTimeoutMs: 1_000 });
    });
    afterAll(async () => {
      await connector?.close();
      await proxy.down();
    });

    const probe = () => q(`SELECT COUNT(*) AS n FROM ${table}`);
    const working = { columns: [{ name: 'n', type: 'number' }], rows: [{ n: 6 }], truncated: false };

    async function untilWorking(): Promise<unknown> {
      const deadline = Date.now() + 5_000;
      let outcome: unknown;
      while (Date.now() < deadline) {
        outcome = await connector.execute(probe()).catch((e: unknown) => e);
        if (!(outcome instanceof Error)) break;
        await pause(100);
      }
      return outcome;
    }

    it('answers 503 datasource_unavailable fast while the server is down, and recovers when it is back', async () => {
      expect((await connector.execute(probe())).rows).toEqual([{ n: 6 }]);
      await connector.ping();

      await proxy.down();
      const started = Date.now();
      // The pooled connection died with the proxy; the first call may see that, later ones the refusal.
      for (let i = 0; i < 2; i++) {
        const down = await connector.execute(probe()).catch((e: unknown) => e);
        expect(down).toBeInstanceOf(PerchError);
        expect((down as PerchError).code).toBe('datasource_unavailable');
        expect((down as PerchError).status).toBe(503);
        expect((down as PerchError).message).not.toContain('ECONNREFUSED');
      }
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(await codeOf(connector.ping())).toBe('datasource_unavailable');

      await proxy.up();
      expect(await untilWorking()).toEqual(working);
    });

    it('fails a query in flight with datasource_unavailable when the connection drops', async () => {
      const running = connector.execute(q(sleep(3)), { timeoutMs: 10_000 });
      await pause(200);
      await proxy.down();
      expect(await codeOf(running)).toBe('datasource_unavailable');
      await proxy.up();
      expect(await untilWorking()).toEqual(working);
    });
  });
}
