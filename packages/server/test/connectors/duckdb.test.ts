import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { PerchError } from '@perch/protocol';
import { createConnector, openHardenedDuckDB, type Connector } from '../../src/connectors/index.js';
import { governed, runConnectorContract } from './contract.js';
import { fixtureStatements } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'perch-duckdb-connector-'));
const warehouse = join(dir, 'fixture.duckdb');

beforeAll(async () => {
  // Written with a plain instance; every connector below opens it hardened and read-only.
  const instance = await DuckDBInstance.create(warehouse);
  const connection = await instance.connect();
  for (const statement of fixtureStatements('items', 'duckdb')) await connection.run(statement);
  connection.closeSync();
  instance.closeSync();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runConnectorContract('duckdb', async () => ({
  connector: await createConnector({ type: 'duckdb', path: warehouse, readOnly: true, poolSize: 3 }),
  table: 'items',
}));

describe('duckdb hardening', () => {
  let connection: DuckDBConnection;
  let close: () => void;
  beforeAll(async () => {
    const instance = await openHardenedDuckDB(warehouse, { readOnly: true });
    connection = await instance.connect();
    close = () => {
      connection.closeSync();
      instance.closeSync();
    };
  });
  afterAll(() => close());

  const escapes = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    `COPY items TO '${join(dir, 'leak.csv')}'`,
    `ATTACH '${join(dir, 'other.duckdb')}' AS other`,
    'INSTALL httpfs',
    'LOAD httpfs',
    "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    'SET enable_external_access = true',
    'SET lock_configuration = false',
    "SET access_mode = 'READ_WRITE'",
    'CREATE TABLE evil AS SELECT 1 AS x',
    "INSERT INTO items (id, tenant) VALUES (99, 'x')",
  ];
  for (const statement of escapes) {
    it(`refuses: ${statement}`, async () => {
      await expect(connection.run(statement)).rejects.toThrow();
    });
  }

  it('keeps the hardening settings in force', async () => {
    const result = await connection.runAndReadAll(
      "SELECT current_setting('enable_external_access') AS external, current_setting('lock_configuration') AS locked, current_setting('autoload_known_extensions') AS autoload",
    );
    expect(result.getRowObjectsJS()).toEqual([{ external: false, locked: true, autoload: false }]);
  });
});

describe('duckdb connector refuses escapes even in governed SQL', () => {
  let connector: Connector;
  beforeAll(async () => {
    connector = await createConnector({ type: 'duckdb', path: warehouse, readOnly: true });
  });
  afterAll(() => connector.close());

  for (const statement of ["SELECT * FROM read_csv('/etc/passwd')", `COPY items TO '${join(dir, 'leak2.csv')}'`, 'SET enable_external_access = true', "DELETE FROM items WHERE tenant = 'acme'"]) {
    it(`fails closed: ${statement}`, async () => {
      const error = await connector.execute(governed('duckdb', statement)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PerchError);
      expect((error as PerchError).message).not.toMatch(/passwd|COPY|items/);
    });
  }

  it('leaves the warehouse unchanged', async () => {
    const result = await connector.execute(governed('duckdb', 'SELECT COUNT(*) AS n FROM items'));
    expect(result.rows).toEqual([{ n: 6 }]);
  });

  it('close() stops running queries (datasource_unavailable) and later calls fail the same way', async () => {
    const closing = await createConnector({ type: 'duckdb', path: warehouse, readOnly: true, poolSize: 1 });
    const settle = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
    const slow = settle(closing.execute(governed('duckdb', 'SELECT sum(a.range * b.range) AS s FROM range(200000000) a, range(1000) b'), { timeoutMs: 20_000 }));
    const queued = settle(closing.execute(governed('duckdb', 'SELECT 1 AS one')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await closing.close();
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const pending of [slow, queued, settle(closing.execute(governed('duckdb', 'SELECT 1 AS one'))), settle(closing.ping())]) {
      const error = await pending;
      expect(error).toBeInstanceOf(PerchError);
      expect((error as PerchError).code).toBe('datasource_unavailable');
    }
  });

  it('runs queries in parallel on its connection pool', async () => {
    const parallel = await createConnector({ type: 'duckdb', path: warehouse, readOnly: true, poolSize: 2, threads: 1 });
    try {
      const slow = governed('duckdb', 'SELECT sum(a.range * b.range) AS s FROM range(200000000) a, range(1000) b');
      // While one connection is busy with a long query, a short one on the other connection finishes.
      const long = parallel.execute(slow, { timeoutMs: 1_500 }).catch((e: unknown) => e);
      const started = Date.now();
      const quick = await parallel.execute(governed('duckdb', 'SELECT COUNT(*) AS n FROM items'));
      expect(quick.rows).toEqual([{ n: 6 }]);
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(((await long) as PerchError).code).toBe('query_timeout');
    } finally {
      await parallel.close();
    }
  });

  it('answers datasource_unavailable when the file cannot be opened', async () => {
    const error = await createConnector({ type: 'duckdb', path: join(dir, 'missing', 'nope.duckdb'), readOnly: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerchError);
    expect((error as PerchError).code).toBe('datasource_unavailable');
  });
});
