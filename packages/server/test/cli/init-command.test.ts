/**
 * `perch init` end to end on PostgreSQL: a schema with foreign keys, `perch init`, `perch check`
 * refusing the undecided row-level security, the stubs filled in, `perch check` passing, Perch
 * started on the written model, and queries answered through RLS with another tenant's canary
 * rows nowhere (init-scenario.ts, shared with MySQL/MariaDB). A DuckDB file goes through the same
 * introspection.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, dropSchema } from '../helpers/stores.js';
import { CUSTOMER_ROWS, initCheckAndServe, orderRows, PRODUCT_ROWS } from './init-scenario.js';
import { perch } from './run-perch.js';

const schema = `perch_init_${randomBytes(4).toString('hex')}`;
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'perch-init-'));
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    const s = `"${schema}"`;
    await client.query(`CREATE SCHEMA ${s}`);
    await client.query(`CREATE TABLE ${s}.customers (id integer PRIMARY KEY, customer_id text NOT NULL, name text NOT NULL, segment text)`);
    await client.query(`CREATE TABLE ${s}.products (id integer PRIMARY KEY, name text NOT NULL, price numeric(10, 2) NOT NULL)`);
    await client.query(
      `CREATE TABLE ${s}.orders (id integer PRIMARY KEY, customer_id text NOT NULL, customer_ref integer NOT NULL REFERENCES ${s}.customers (id),
         product_id integer NOT NULL REFERENCES ${s}.products (id), quantity integer NOT NULL, amount numeric(12, 2) NOT NULL,
         status text NOT NULL, ordered_at timestamp NOT NULL, paid boolean NOT NULL, meta jsonb)`,
    );
    for (const row of CUSTOMER_ROWS) await client.query(`INSERT INTO ${s}.customers VALUES ($1, $2, $3, $4)`, [...row]);
    for (const row of PRODUCT_ROWS) await client.query(`INSERT INTO ${s}.products VALUES ($1, $2, $3)`, [...row]);
    for (const row of orderRows()) await client.query(`INSERT INTO ${s}.orders VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}')`, row);
  } finally {
    await client.end();
  }
});

afterAll(async () => {
  await dropSchema(schema);
  await rm(directory, { recursive: true, force: true });
});

describe('perch init --from <postgres-url>', () => {
  it('writes a starter model, which perch check refuses until RLS is decided, then serves it under RLS', async () => {
    const out = join(directory, 'model');
    await initCheckAndServe({
      initArgs: ['--from', TEST_DATABASE_URL, '--schema', schema, '--out', out],
      out,
      directory,
      ordersSource: `${schema}.orders`,
      skippedComment: '# "meta" (jsonb) is not modelled',
    });
  }, 240_000);

  it('refuses to write into a directory that already holds a model', async () => {
    const result = await perch(['init', '--from', TEST_DATABASE_URL, '--schema', schema, '--out', new URL('../../../../model/', import.meta.url).pathname]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('already holds model files (demo.yaml)');
  });
});

describe('perch init --from <duckdb-file>', () => {
  it('reads tables, types and foreign keys from a DuckDB file', async () => {
    const file = join(directory, 'shop.duckdb');
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run('CREATE TABLE accounts (id INTEGER PRIMARY KEY, account_id VARCHAR, plan VARCHAR)');
    await connection.run('CREATE TABLE invoices (id INTEGER PRIMARY KEY, account_id VARCHAR, account_ref INTEGER REFERENCES accounts (id), total DOUBLE, issued_on DATE)');
    await connection.run("INSERT INTO accounts VALUES (1, 'a1', 'pro')");
    await connection.run("INSERT INTO invoices VALUES (1, 'a1', 1, 10.5, DATE '2026-01-01'), (2, 'a1', 1, 3, DATE '2026-02-01')");
    connection.closeSync();
    instance.closeSync();

    const out = join(directory, 'duck-model');
    const init = await perch(['init', '--from', file, '--out', out]);
    expect(init.err).toBe('');
    expect(init.out).toContain('2 datasets (accounts, invoices), dashboard invoices_overview');
    const yaml = await readFile(join(out, 'starter.yaml'), 'utf8');
    expect(yaml).toContain('source: { table: invoices }');
    expect(yaml).toContain('issued_on: { column: issued_on, type: time, title: Issued on }');
    expect(yaml).toContain('total_sum: { sum: total, title: Total total }');
    expect(yaml).toContain('accounts: { dataset: accounts, on: { account_ref: id } }');
    expect(yaml).toContain('rowLevelSecurity: { undecided: { candidates: [account_id] } }');
    const refused = await perch(['check', out]);
    expect(refused.exitCode).toBe(1);
    expect(refused.err).toContain('datasets.invoices.rowLevelSecurity: row-level security not decided yet (candidate tenant columns: account_id)');
  });
});
