/**
 * Injection and misuse on both connectors, and 1,000 interleaved concurrent requests from two
 * tenants: every answer holds only the caller's rows, or is a 4xx; the warehouse is unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connector } from '../../src/connectors/index.js';
import { governed } from '../connectors/contract.js';
import { ALL_CANARIES, CANARIES, mintFor, openWarehouses, startDualPerch, type Warehouses } from './warehouse-fixture.js';
import type { TestPerch } from '../helpers/test-perch.js';

const CONNECTORS = ['postgres', 'duckdb'] as const;
type ConnectorName = (typeof CONNECTORS)[number];

let warehouses: Warehouses;
let perch: TestPerch;
let prefix: Record<ConnectorName, string>;
const checksumsBefore: Record<string, unknown> = {};

const CHECKSUM_SQL =
  'SELECT (SELECT COUNT(*) FROM orders) AS orders, (SELECT SUM(amount) FROM orders) AS amount, (SELECT MAX(order_id) FROM orders) AS max_id, ' +
  "(SELECT COUNT(*) FROM customers) AS customers, (SELECT COUNT(*) FROM customers WHERE name LIKE 'CANARY%') AS canary_customers, (SELECT COUNT(*) FROM products) AS products";

async function checksum(name: ConnectorName): Promise<unknown> {
  const connector: Connector = warehouses[name];
  return (await connector.execute(governed(name, CHECKSUM_SQL))).rows;
}

beforeAll(async () => {
  warehouses = await openWarehouses(5_000, 'perch_qsec');
  ({ perch, prefix } = await startDualPerch(warehouses));
  for (const name of CONNECTORS) checksumsBefore[name] = await checksum(name);
}, 300_000);
afterAll(async () => {
  await perch?.close();
  await warehouses?.close();
});

function query(name: ConnectorName, token: string, body: unknown) {
  return perch.app.inject({ method: 'POST', url: `${prefix[name]}/v1/query`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

/** Either only `tenant`'s rows (every row's customer_id) and no foreign canary, or a 4xx. Never a 5xx, never SQL text. */
function expectContained(response: { statusCode: number; body: string }, tenant: string | undefined): 'rows' | '4xx' {
  expect(response.statusCode, response.body).toBeLessThan(500);
  expect(response.body).not.toMatch(/\bSELECT\b|\bFROM\s+"?orders/i);
  for (const canary of ALL_CANARIES) if (tenant !== 'globex' || canary !== CANARIES.globex) expect(response.body).not.toContain(canary);
  if (response.statusCode >= 400) return '4xx';
  const rows = (JSON.parse(response.body) as { rows: Array<{ customer_id?: string }> }).rows;
  for (const row of rows) expect(row.customer_id).toBe(tenant);
  return 'rows';
}

const SQL_PAYLOADS = [
  "acme' OR '1'='1",
  "acme'--",
  "acme' /* */ OR 1=1 /*",
  "acme'; DROP TABLE orders; --",
  "x' UNION SELECT customer_id, name FROM customers --",
  "acme\\' OR 1=1 --",
  'acme\\',
  'acme＇ OR ＇1＇=＇1',
  'acmeʼ OR 1=1 --',
  '$$ OR 1=1 $$',
  "acme$$; DROP TABLE orders; $$",
  "read_csv('/etc/passwd')",
  "') UNION SELECT * FROM read_csv('/etc/passwd') --",
  'globex',
];

describe.each(CONNECTORS)('injection and misuse on %s', (name) => {
  it.each(SQL_PAYLOADS)('customerId attribute %j matches only itself (no rows unless it is a real tenant)', async (payload) => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: payload, department: 'finance' } });
    const response = await query(name, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id', 'channel'] });
    expect(expectContained(response, payload)).toBe('rows');
    const rows = response.json().rows as unknown[];
    if (payload === 'globex') expect(rows.length).toBeGreaterThan(0);
    else expect(rows).toEqual([]);
  });

  it.each(SQL_PAYLOADS)('department attribute %j never widens the tenant', async (payload) => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: payload } });
    const response = await query(name, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id', 'department'] });
    expect(expectContained(response, 'acme')).toBe('rows');
    expect(response.json().rows).toEqual([]);
  });

  it.each(SQL_PAYLOADS)('filter value %j returns only the caller’s rows', async (payload) => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } });
    for (const filters of [
      [{ member: 'channel', operator: 'in', values: [payload, 'web'] }],
      [{ member: 'region', operator: 'notEquals', values: [payload] }],
      [{ member: 'customer.name', operator: 'contains', values: [payload] }],
      [{ or: [{ member: 'status', operator: 'equals', values: [payload] }, { member: 'customer_id', operator: 'equals', values: ['globex'] }] }],
    ]) {
      const response = await query(name, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id'], filters });
      expectContained(response, 'acme');
    }
  });

  it.each([
    [{ dataset: 'orders', measures: ['revenue; DROP TABLE orders'] }, 'unknown_member'],
    [{ dataset: 'orders', measures: ['revenue'], dimensions: ["read_csv('/etc/passwd')"] }, 'unknown_member'],
    [{ dataset: 'orders', measures: ['revenue'], dimensions: ['customer.name FROM customers --'] }, 'unknown_member'],
    [{ dataset: "read_csv('/etc/passwd')", measures: ['revenue'] }, 'unknown_member'],
    [{ dataset: 'orders', measures: ['revenue'], order: [{ member: 'revenue DESC; --', direction: 'desc' }] }, 'unknown_member'],
    [{ dataset: 'orders', measures: ['revenue'], filters: [{ member: 'order_id', operator: 'gt', values: ['1 OR 1=1'] }] }, 'invalid_filter_value'],
    [{ dataset: 'orders', measures: ['revenue'], timezone: "UTC'; DROP TABLE orders; --" }, undefined],
    [{ dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'ordered_at', granularity: "month'); DROP TABLE orders; --" } }, 'unknown_granularity'],
    [{ dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'ordered_at', dateRange: "last 1 days'; DROP TABLE orders" } }, 'invalid_date_range'],
    [{ dataset: 'orders', measures: ['revenue'], limit: '1; DROP TABLE orders' }, 'invalid_type'],
    [{ dataset: 'orders', measures: ['revenue'], sql: 'DROP TABLE orders' }, 'unknown_field'],
    [{ dashboard: 'sales', chart: 'revenue_kpi', filters: { values: { "region') OR 1=1 --": ['x'] } } }, 'unknown_member'],
  ])('member-name and shape misuse %j → 400 %s', async (body, code) => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: 'finance' }, dashboards: ['sales'] });
    const response = await query(name, token, body);
    expect(expectContained(response, 'acme')).toBe('4xx');
    expect(response.statusCode).toBe(400);
    if (code) expect(response.json().error.code).toBe(code);
  });

  it('an array where a scalar attribute is expected is refused, not widened', async () => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: ['acme', 'globex'], department: 'finance' } });
    const response = await query(name, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id'] });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('rls_attribute_invalid');
  });

  it('a search with LIKE wildcards and quotes in /v1/values stays inside the tenant', async () => {
    const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } });
    for (const search of ["%' OR 1=1 --", '%', '_', 'CANARY', "\\'"]) {
      const response = await perch.app.inject({ method: 'GET', url: `${prefix[name]}/v1/values?dataset=orders&member=channel&search=${encodeURIComponent(search)}`, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBeLessThan(500);
      for (const canary of ALL_CANARIES) expect(response.body).not.toContain(canary);
      if (response.statusCode === 200) expect(response.json().rows).toEqual([]);
    }
  });

  it('leaves the warehouse unchanged', async () => {
    expect(await checksum(name)).toEqual(checksumsBefore[name]);
  });
});

describe('NUL in attributes', () => {
  it('is refused at mint with 400', async () => {
    await expect(mintFor(perch, { attributes: { customerId: 'acme\u0000globex', department: 'finance' } })).rejects.toThrow(/mint failed: 400/);
  });
});

describe('concurrency', () => {
  it('1,000 interleaved requests from two tenants on PostgreSQL each see only their own rows (hits and misses mixed)', async () => {
    const tokens = {
      globex: await mintFor(perch, { distinctId: 'g', role: 'explorer', attributes: { customerId: 'globex', department: 'finance' } }),
      initech: await mintFor(perch, { distinctId: 'i', role: 'explorer', attributes: { customerId: 'initech', department: 'finance' } }),
    };
    const requests = Array.from({ length: 1_000 }, (_, i) => {
      const tenant = i % 2 === 0 ? ('globex' as const) : ('initech' as const);
      // 25 limits × 2 shapes per tenant: early requests miss, later ones hit or join a flight.
      const body = { dataset: 'orders', measures: ['orders', 'revenue'], dimensions: ['customer_id', i % 3 === 0 ? 'channel' : 'region', 'customer.name'], limit: 5 + ((i >> 1) % 25) };
      return query('postgres', tokens[tenant], body).then((response) => ({ tenant, response }));
    });
    const results = await Promise.all(requests);
    let hits = 0;
    for (const { tenant, response } of results) {
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json() as { rows: Array<{ customer_id: string; 'customer.name': string }>; meta: { cacheHit: boolean } };
      expect(body.rows.length).toBeGreaterThan(0);
      for (const row of body.rows) {
        expect(row.customer_id).toBe(tenant);
        expect(row['customer.name']).toBe(CANARIES[tenant]);
      }
      const other = tenant === 'globex' ? CANARIES.initech : CANARIES.globex;
      expect(response.body).not.toContain(other);
      if (body.meta.cacheHit) hits++;
    }
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(1_000);
  }, 240_000);
});
