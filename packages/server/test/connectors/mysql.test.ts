import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySqlCompiler } from '../../../engine/src/compiler/mysql.js';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { governed, runConnectorContract, runServerConnectorContract } from './contract.js';
import { fixtureStatements } from './fixture.js';
import { mysqlUrlFor, uniqueDatabase, withMySqlAdmin } from './mysql-test-helpers.js';

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

const adminCount = (sql: string, values: unknown[] = []): Promise<number> =>
  withMySqlAdmin(async (admin) => Number(((await admin.query(sql, values))[0] as Array<{ n: number | string }>)[0]!.n));

runServerConnectorContract(() => ({
  dialect: 'mysql',
  url,
  table,
  connect: (options) => createConnector({ type: 'mysql', ...options }),
  countRows: () => adminCount(`SELECT COUNT(*) AS n FROM \`${database}\`.${table}`),
  countTables: () => adminCount('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?', [database]),
  runningStatements: (marker) => adminCount('SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()', [`%${marker}%`]),
  writes: [`INSERT INTO ${table} (id, tenant) VALUES (101, 'evil')`, `UPDATE ${table} SET note = 'evil' WHERE id = 1`, `CREATE TABLE evil_${process.pid} (id INT)`],
  failing: 'SELECT no_such_column FROM items',
}));

describe('mysql connector session', () => {
  let connector: Connector;
  beforeAll(async () => {
    // One pooled connection, so consecutive requests are guaranteed to share it.
    connector = await createConnector({ type: 'mysql', url, poolSize: 1 });
  });
  afterAll(() => connector.close());

  it('keeps no session state between requests: the time limit and the transaction end with the request', async () => {
    const inside = await connector.execute(governed('mysql', 'SELECT @@max_statement_time AS limit_s, @@in_transaction AS in_tx, @@tx_read_only AS ro, @@time_zone AS tz'), { timeoutMs: 1234 });
    expect(inside.rows).toEqual([{ limit_s: 1.234, in_tx: 1, ro: 1, tz: '+00:00' }]);
    const next = await connector.execute(governed('mysql', 'SELECT @@max_statement_time AS limit_s'), { timeoutMs: 30_000 });
    expect(next.rows).toEqual([{ limit_s: 30 }]);
    // Outside any Perch statement, the pooled session is back at the server default and idle.
    const server = await withMySqlAdmin(async (admin) => ((await admin.query('SELECT @@global.max_statement_time AS g'))[0] as Array<{ g: string | number }>)[0]!.g);
    expect(Number(server)).not.toBe(1.234);
  });

  it('buckets a UTC DATETIME by day in UTC and in a named zone (the compiler\'s CONVERT_TZ spelling)', async () => {
    // 2026-01-31 00:00 UTC is still 30 January in New York. Named zones need the server's zone
    // tables, which .ci/run loads; without them this test fails rather than passing on NULLs.
    const day = new MySqlCompiler().dateTrunc('day', 'created_at', '?');
    const bucket = async (zone: string) => (await connector.execute(governed('mysql', `SELECT ${day} AS d FROM ${table} WHERE id = ?`, [zone, 1]))).rows;
    expect(await bucket('+00:00')).toEqual([{ d: '2026-01-31T00:00:00.000Z' }]);
    expect(await bucket('America/New_York')).toEqual([{ d: '2026-01-30T00:00:00.000Z' }]);
  });
});
