/**
 * `perch init` end to end on PostgreSQL: a schema with foreign keys, `perch init`, `perch check`
 * refusing the undecided row-level security, the stubs filled in, `perch check` passing, Perch
 * started on the written model, and queries answered through RLS with another tenant's canary
 * rows nowhere. A DuckDB file goes through the same introspection.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { loadConfig } from '../../src/config.js';
import { startPerch } from '../../src/server.js';
import { TEST_DATABASE_URL, dropSchema } from '../helpers/stores.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';

const CANARY = 'CANARY_GLOBEX_init_7c2e';
const schema = `perch_init_${randomBytes(4).toString('hex')}`;
let directory: string;

async function perch(args: string[]): Promise<{ out: string; err: string; exitCode: number | string | undefined }> {
  const out: string[] = [];
  const err: string[] = [];
  const original = { log: console.log, error: console.error, exitCode: process.exitCode };
  console.log = (...parts: unknown[]) => void out.push(parts.join(' '));
  console.error = (...parts: unknown[]) => void err.push(parts.join(' '));
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(['node', 'perch', ...args]);
    return { out: out.join('\n'), err: err.join('\n'), exitCode: process.exitCode };
  } finally {
    console.log = original.log;
    console.error = original.error;
    process.exitCode = original.exitCode;
  }
}

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
    await client.query(`INSERT INTO ${s}.customers VALUES (1, 'acme', 'Acme', 'enterprise'), (2, 'globex', '${CANARY}', '${CANARY}')`);
    await client.query(`INSERT INTO ${s}.products VALUES (1, 'Widget', 9.5), (2, 'Gadget', 20)`);
    const rows: string[] = [];
    for (let i = 1; i <= 40; i++) {
      const acme = i % 4 !== 0; // 30 acme orders, 10 globex orders
      rows.push(`(${i}, '${acme ? 'acme' : 'globex'}', ${acme ? 1 : 2}, ${1 + (i % 2)}, ${i}, ${(i * 1.5).toFixed(2)}, '${acme ? ['open', 'shipped', 'paid'][i % 3] : CANARY}', now() - interval '${i} days', ${i % 2 === 0}, '{}')`);
    }
    await client.query(`INSERT INTO ${s}.orders VALUES ${rows.join(', ')}`);
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
    const init = await perch(['init', '--from', TEST_DATABASE_URL, '--schema', schema, '--out', out]);
    expect(init.err).toBe('');
    expect(init.exitCode).toBeUndefined();
    expect(init.out).toContain('3 datasets (customers, orders, products), dashboard orders_overview');
    const yaml = await readFile(join(out, 'starter.yaml'), 'utf8');
    expect(yaml).toContain(`source: { table: ${schema}.orders }`);
    expect(yaml).toContain('ordered_at: { column: ordered_at, type: time, title: Ordered at }');
    expect(yaml).toContain('amount_sum: { sum: amount, title: Total amount }');
    expect(yaml).toContain('amount_avg: { avg: amount, title: Average amount }');
    expect(yaml).toContain('customers: { dataset: customers, on: { customer_ref: id } }');
    expect(yaml).toContain('products: { dataset: products, on: { product_id: id } }');
    // Keys are dimensions, never summed; JSON is not modelled and says so.
    expect(yaml).not.toMatch(/product_id_sum|customer_ref_sum|\bid_sum/);
    expect(yaml).toContain('# "meta" (jsonb) is not modelled');
    expect(yaml).toContain('rowLevelSecurity: { undecided: { candidates: [customer_id] } }');
    expect(yaml).toContain('rowLevelSecurity: { undecided: { candidates: [] } }');

    const refused = await perch(['check', out]);
    expect(refused.exitCode).toBe(1);
    expect(refused.err).toContain('starter.yaml: datasets.orders.rowLevelSecurity: row-level security not decided yet (candidate tenant columns: customer_id)');
    expect(refused.err).toContain('rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }');
    expect(refused.err).toContain('starter.yaml: datasets.products.rowLevelSecurity: row-level security not decided yet (no tenant-like column was found');
    expect(refused.err).toMatch(/3 problem\(s\)/);

    // The developer decides: tenants by customer_id; the product list is public.
    const decided = yaml
      .replace('rowLevelSecurity: { undecided: { candidates: [] } }', 'rowLevelSecurity: none')
      .replaceAll('rowLevelSecurity: { undecided: { candidates: [customer_id] } }', 'rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }');
    await writeFile(join(out, 'starter.yaml'), decided);
    const ok = await perch(['check', out]);
    expect(ok.err).toBe('');
    expect(ok.out).toMatch(/^Model OK: 3 datasets, 1 dashboards/);

    const config = loadConfig({
      env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
      cwd: directory,
      overrides: { logLevel: 'silent', modelDir: out, dataDir: join(directory, 'data'), warehouse: { type: 'postgres', url: TEST_DATABASE_URL } },
    });
    const running = await startPerch({ config, port: 0 });
    try {
      const mint = async (attributes: Record<string, string>) => {
        const response = await fetch(`${running.url}/v1/embed/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user: { distinctId: 'init-user', role: 'explorer', attributes }, scope: { dashboards: '*' } }),
        });
        expect(response.status).toBe(201);
        return ((await response.json()) as { token: string }).token;
      };
      const query = (token: string, body: unknown) =>
        fetch(`${running.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

      const acme = await mint({ customerId: 'acme' });
      const byStatus = await query(acme, { dataset: 'orders', measures: ['count', 'amount_sum'], dimensions: ['status', 'customers.name'] });
      const text = await byStatus.text();
      expect(byStatus.status, text).toBe(200);
      expect(text).not.toContain(CANARY);
      const rows = (JSON.parse(text) as { rows: Array<{ status: string; count: number; 'customers.name': string }> }).rows;
      expect(rows.map((r) => r.status).sort()).toEqual(['open', 'paid', 'shipped']);
      expect(rows.every((r) => r['customers.name'] === 'Acme')).toBe(true);
      expect(rows.reduce((sum, r) => sum + Number(r.count), 0)).toBe(30);

      // The starter dashboard opens and its tiles run under the same policy.
      const dashboard = await fetch(`${running.url}/v1/dashboards/orders_overview`, { headers: { authorization: `Bearer ${acme}` } });
      expect(dashboard.status).toBe(200);
      const total = await query(acme, { dashboard: 'orders_overview', chart: 'total' });
      expect(total.status).toBe(200);
      expect(((await total.json()) as { rows: Array<{ count: number }> }).rows[0]!.count).toBe(30);

      // Default deny: without the attribute the policy needs, no rows at all.
      const stranger = await mint({ region: 'EMEA' });
      const denied = await query(stranger, { dataset: 'orders', measures: ['count'] });
      expect(denied.status).toBe(403);
      expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('rls_attribute_missing');
    } finally {
      await running.close();
    }
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
