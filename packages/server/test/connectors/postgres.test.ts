import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { governed, runConnectorContract } from './contract.js';
import { fixtureStatements } from './fixture.js';
import { TcpProxy, TEST_DATABASE_URL, uniqueSchema, withAdminClient } from './pg-test-helpers.js';

const schema = uniqueSchema('perch_conn_pg');
const table = `${schema}.items`;

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

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof PerchError ? error.code : error === undefined ? undefined : `non-perch: ${String(error)}`;
}

describe('postgres connector isolation', () => {
  let connector: Connector;
  beforeAll(async () => {
    // One pooled connection, so consecutive requests are guaranteed to share it.
    connector = await createConnector({ type: 'postgres', url: TEST_DATABASE_URL, poolSize: 1 });
  });
  afterAll(() => connector.close());

  const countRows = async (): Promise<number> => withAdminClient(async (client) => Number((await client.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n));

  it('runs governed SQL read-only: writes fail and the table is unchanged', async () => {
    const before = await countRows();
    expect(await codeOf(connector.execute(governed('postgres', `SELECT ${schema}.sneaky_write() AS id`)))).toBe('internal_error');
    expect(await codeOf(connector.execute(governed('postgres', `INSERT INTO ${table} (id, tenant) VALUES (101, 'evil')`)))).toBe('internal_error');
    expect(await codeOf(connector.execute(governed('postgres', `WITH w AS (DELETE FROM ${table} RETURNING id) SELECT COUNT(*) FROM w`)))).toBe('internal_error');
    expect(await countRows()).toBe(before);
  });

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

  it('rolls back after a failed query so the connection is clean for the next one', async () => {
    expect(await codeOf(connector.execute(governed('postgres', 'SELECT 1/0 AS boom')))).toBe('internal_error');
    const result = await connector.execute(governed('postgres', `SELECT COUNT(*) AS n FROM ${table} WHERE tenant = $1`, ['acme']));
    expect(result.rows).toEqual([{ n: 3 }]);
  });

  it('stops the statement on the server when the caller aborts (no orphaned backend)', async () => {
    const controller = new AbortController();
    const running = connector.execute(governed('postgres', 'SELECT pg_sleep(29.25) IS NULL AS s'), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await codeOf(running)).toBe('query_cancelled');
    const deadline = Date.now() + 3_000;
    let still = 1;
    while (still > 0 && Date.now() < deadline) {
      still = await withAdminClient(async (client) =>
        Number((await client.query("SELECT COUNT(*) AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(29.25)%' AND pid <> pg_backend_pid()")).rows[0].n),
      );
      if (still > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(still).toBe(0);
  });

  it('turns a server-side statement_timeout into query_timeout', async () => {
    expect(await codeOf(connector.execute(governed('postgres', 'SELECT pg_sleep(5) IS NULL AS s'), { timeoutMs: 200 }))).toBe('query_timeout');
    const after = await connector.execute(governed('postgres', 'SELECT 1 AS one'));
    expect(after.rows).toEqual([{ one: 1 }]);
  });
});

describe('postgres connector availability', () => {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let connector: Connector;

  beforeAll(async () => {
    await proxy.up();
    connector = await createConnector({ type: 'postgres', url: proxy.urlFor(TEST_DATABASE_URL), poolSize: 2, connectTimeoutMs: 1_000 });
  });
  afterAll(async () => {
    await connector.close();
    await proxy.down();
  });

  const probe = governed('postgres', `SELECT COUNT(*) AS n FROM ${table}`);

  it('answers 503 datasource_unavailable fast while the server is down, and recovers when it is back', async () => {
    expect((await connector.execute(probe)).rows).toEqual([{ n: 6 }]);
    await connector.ping();

    await proxy.down();
    const started = Date.now();
    const down = await connector.execute(probe).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(PerchError);
    expect((down as PerchError).code).toBe('datasource_unavailable');
    expect((down as PerchError).status).toBe(503);
    expect((down as PerchError).message).not.toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await codeOf(connector.ping())).toBe('datasource_unavailable');

    await proxy.up();
    const deadline = Date.now() + 5_000;
    let recovered: unknown;
    while (Date.now() < deadline) {
      recovered = await connector.execute(probe).catch((e: unknown) => e);
      if (!(recovered instanceof Error)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(recovered).toEqual({ columns: [{ name: 'n', type: 'number' }], rows: [{ n: 6 }], truncated: false });
  });

  it('fails a query in flight with datasource_unavailable when the connection drops', async () => {
    const running = connector.execute(governed('postgres', 'SELECT pg_sleep(3) IS NULL AS s'), { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await proxy.down();
    expect(await codeOf(running)).toBe('datasource_unavailable');
    await proxy.up();
    const deadline = Date.now() + 5_000;
    let ok = false;
    while (!ok && Date.now() < deadline) {
      ok = await connector.execute(probe).then(
        () => true,
        () => false,
      );
      if (!ok) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ok).toBe(true);
  });
});
