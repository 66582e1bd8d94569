import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { governed, runConnectorContract, runServerConnectorContract } from './contract.js';
import { fixtureStatements } from './fixture.js';
import { TEST_DATABASE_URL, uniqueSchema, withAdminClient } from './pg-test-helpers.js';

const schema = uniqueSchema('perch_conn_pg');
const table = `${schema}.items`;
/**
 * The suite's connectors name themselves, so the server's view finds their statements alone: a
 * query runs as `FETCH … FROM perch_rows`, so pg_stat_activity never shows the SQL's own text.
 */
const suiteUrl = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}application_name=${schema}`;

beforeAll(async () => {
  await withAdminClient(async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    for (const statement of fixtureStatements(table, 'postgres')) await client.query(statement);
    // A function that writes: calling it from a governed query must fail in a read-only transaction.
    await client.query(`CREATE FUNCTION ${schema}.sneaky_write() RETURNS int LANGUAGE sql AS $$ INSERT INTO ${table} (id, tenant) VALUES (100, 'evil') RETURNING id $$`);
  });
});
afterAll(async () => {
  await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
});

runConnectorContract('postgres', async () => ({
  connector: await createConnector({ type: 'postgres', url: TEST_DATABASE_URL, poolSize: 4 }),
  table,
}));

const adminCount = (sql: string, values: unknown[] = []): Promise<number> => withAdminClient(async (client) => Number((await client.query<{ n: string }>(sql, values)).rows[0]!.n));

runServerConnectorContract(() => ({
  dialect: 'postgres',
  url: suiteUrl,
  table,
  connect: (options) => createConnector({ type: 'postgres', ...options }),
  countRows: () => adminCount(`SELECT COUNT(*) AS n FROM ${table}`),
  countTables: () => adminCount('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = $1', [schema]),
  // The marker is not searched for: the active statement is the cursor's FETCH (see suiteUrl).
  runningStatements: () => adminCount("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE state = 'active' AND application_name = $1 AND pid <> pg_backend_pid()", [schema]),
  writes: [
    `SELECT ${schema}.sneaky_write() AS id`,
    `INSERT INTO ${table} (id, tenant) VALUES (101, 'evil')`,
    `WITH w AS (DELETE FROM ${table} RETURNING id) SELECT COUNT(*) FROM w`,
    `CREATE TABLE ${schema}.evil_${process.pid} (id int)`,
  ],
  failing: 'SELECT 1/0 AS boom',
}));

describe('postgres connector session', () => {
  let connector: Connector;
  beforeAll(async () => {
    // One pooled connection, so consecutive requests are guaranteed to share it.
    connector = await createConnector({ type: 'postgres', url: TEST_DATABASE_URL, poolSize: 1 });
  });
  afterAll(() => connector.close());

  it('keeps no session state between requests', async () => {
    const defaultTimeout = await withAdminClient(async (client) => (await client.query(`SELECT current_setting('statement_timeout') AS v`)).rows[0].v as string);
    const inside = await connector.execute(governed('postgres', `SELECT current_setting('statement_timeout') AS v, current_setting('transaction_read_only') AS ro`), { timeoutMs: 1234 });
    expect(inside.rows).toEqual([{ v: '1234ms', ro: 'on' }]);
    // A governed query that sets a transaction-local value: gone by the next request.
    await connector.execute(governed('postgres', `SELECT set_config('perch.leak_probe', 'tenant-acme', true) AS v`));
    const next = await connector.execute(governed('postgres', `SELECT current_setting('perch.leak_probe', true) AS probe, current_setting('statement_timeout') AS v`), {
      timeoutMs: 30_000,
    });
    expect(next.rows[0]?.probe ?? '').toBe('');
    expect(next.rows[0]?.v).toBe('30s');
    // And outside any Perch transaction the setting is the server default again.
    expect(defaultTimeout).not.toBe('1234ms');
  });
});
