import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CANARIES, CANARIES, call, mintFor, openDuckWarehouse, startDashboardPerch, type DuckWarehouse } from './fixture.js';
import { TestClock, type TestPerch } from '../helpers/test-perch.js';
import { createApiKey } from '../identity/token-fixtures.js';

const ACME_SALES = { customerId: 'acme', department: 'sales' };
const ACME_FINANCE = { customerId: 'acme', department: 'finance' };

let warehouse: DuckWarehouse;
let perch: TestPerch;

beforeAll(async () => {
  warehouse = await openDuckWarehouse(4_000, 'perch-dash-routes');
  perch = await startDashboardPerch('postgres', warehouse);
});
afterAll(async () => {
  await perch?.close();
  await warehouse?.close();
});

function expectNoCanary(text: string, except: readonly string[] = []) {
  for (const canary of ALL_CANARIES) if (!except.includes(canary)) expect(text).not.toContain(canary);
}

function eventsOf(response: { headers: Record<string, unknown> }) {
  return perch.audit.byRequest(String(response.headers['x-request-id']));
}

describe('GET /v1/dashboards/{id}', () => {
  it('answers the definition in the contract shape for a viewer in scope, and audits dashboard.open', async () => {
    const token = await mintFor(perch, { distinctId: 'vera', role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'GET', '/v1/dashboards/sales');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ id: 'sales', title: 'Sales overview', canExport: false, layout: { columns: 12 } });
    expect(body.charts.map((c: { id: string }) => c.id)).toEqual(['revenue_kpi', 'orders_kpi', 'revenue_by_month', 'revenue_by_region', 'orders_by_channel', 'top_products']);
    expect(body.charts.every((c: { permitted: boolean }) => c.permitted)).toBe(true);
    expect(body.charts[0]).toMatchObject({ type: 'kpi', title: 'Revenue', query: { dataset: 'orders', measures: ['revenue'] }, format: { measure: { style: 'currency' } } });
    expect(body.layout.items).toHaveLength(6);
    for (const item of body.layout.items) expect(item.x + item.w).toBeLessThanOrEqual(12);
    expect(body.filters).toEqual({ dateRange: { member: 'ordered_at', default: 'last 12 months' }, pickers: [{ member: 'region', title: 'Region' }, { member: 'channel', title: 'Channel' }] });
    expect(eventsOf(response)).toMatchObject([{ action: 'dashboard.open', outcome: 'success', distinctId: 'vera', resource: 'dashboard:sales' }]);
  });

  it('offers export to explorers and above only', async () => {
    const explorer = await mintFor(perch, { role: 'explorer', attributes: ACME_SALES });
    expect((await call(perch, explorer, 'GET', '/v1/dashboards/sales')).json().canExport).toBe(true);
  });

  it('answers the same 403 resource_forbidden for an out-of-scope id and for an id that does not exist', async () => {
    const scoped = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: ['other'] });
    const outOfScope = await call(perch, scoped, 'GET', '/v1/dashboards/sales');
    const everything = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: '*' });
    const missing = await call(perch, everything, 'GET', '/v1/dashboards/no_such_board');
    for (const response of [outOfScope, missing]) {
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toMatchObject({ code: 'resource_forbidden', path: 'dashboard' });
      expect(eventsOf(response)).toMatchObject([{ action: 'dashboard.open', outcome: 'refused', code: 'resource_forbidden' }]);
    }
    expect(outOfScope.json().error.message).toBe(missing.json().error.message);
  });

  it('lists only the dashboards in scope', async () => {
    const none = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: [] });
    expect((await call(perch, none, 'GET', '/v1/dashboards')).json()).toEqual({ dashboards: [], canCreate: false });
    const sales = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    expect((await call(perch, sales, 'GET', '/v1/dashboards')).json().dashboards).toEqual([{ id: 'sales', title: 'Sales overview', description: expect.any(String), source: 'model', editable: false }]);
  });
});

describe('GET /v1/dashboards/{id}/filter-values', () => {
  it('returns only the values of the caller’s own rows (RLS), audited as values.read', async () => {
    const token = await mintFor(perch, { distinctId: 'vera', role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'GET', '/v1/dashboards/sales/filter-values?member=region');
    expect(response.statusCode).toBe(200);
    const expected = await warehouse.sql<{ region: string }>(`SELECT DISTINCT region FROM orders WHERE customer_id = 'acme' AND department = 'sales'`);
    expect([...response.json().values].sort()).toEqual(expected.map((r) => r.region).sort());
    expectNoCanary(response.body);
    expect(eventsOf(response)).toMatchObject([{ action: 'values.read', outcome: 'success', resource: 'dashboard:sales' }]);
  });

  it('shows a tenant its own canary values (positive control) and never another tenant’s', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: { customerId: 'globex', department: 'finance' } });
    const response = await call(perch, token, 'GET', '/v1/dashboards/sales/filter-values?member=channel');
    expect(response.json().values).toContain(CANARIES.globex);
    expectNoCanary(response.body, [CANARIES.globex]);
  });

  it.each([
    ['/v1/dashboards/sales/filter-values?member=status', 400, 'unknown_member'],
    ['/v1/dashboards/sales/filter-values', 400, undefined],
    ['/v1/dashboards/nope/filter-values?member=region', 403, 'resource_forbidden'],
  ])('%s → %i', async (url, status, code) => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'GET', url);
    expect(response.statusCode).toBe(status);
    if (code) expect(response.json().error.code).toBe(code);
    expect(response.body).not.toMatch(/select|from orders/i);
  });
});

describe('viewers stay inside their dashboards', () => {
  it('runs the dashboard’s charts, refuses ad-hoc queries and other dashboards with 403', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const chart = await call(perch, token, 'POST', '/v1/query', { dashboard: 'sales', chart: 'revenue_kpi', filters: { dateRange: null } });
    expect(chart.statusCode).toBe(200);
    const [oracle] = await warehouse.sql<{ revenue: number }>(`SELECT sum(amount) AS revenue FROM orders WHERE customer_id = 'acme' AND department = 'sales'`);
    expect(chart.json().rows[0].revenue).toBeCloseTo(Number(oracle!.revenue), 2);
    const adHoc = await call(perch, token, 'POST', '/v1/query', { dataset: 'orders', measures: ['revenue'], dimensions: ['customer_id'] });
    expect(adHoc.statusCode).toBe(403);
    expect(adHoc.json().error.code).toBe('resource_forbidden');
    const elsewhere = await call(perch, token, 'POST', '/v1/query', { dashboard: 'finance', chart: 'revenue_kpi' });
    expect(elsewhere.statusCode).toBe(403);
  });
});

describe('POST /v1/export', () => {
  it('streams the chart as CSV under the caller’s RLS, neutralising formula cells, audited as export.run', async () => {
    const token = await mintFor(perch, { distinctId: 'ed', role: 'explorer', attributes: ACME_FINANCE });
    const response = await call(perch, token, 'POST', '/v1/export', { dashboard: 'sales', chart: 'revenue_by_region', filters: { dateRange: null } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/csv/);
    expect(response.headers['content-disposition']).toBe('attachment; filename="sales-revenue_by_region.csv"');
    const lines = response.body.trimEnd().split('\r\n');
    // The model's titles head the columns.
    expect(lines[0]).toBe('Region,Revenue');
    const oracle = await warehouse.sql<{ region: string; revenue: number }>(`SELECT region, sum(amount) AS revenue FROM orders WHERE customer_id = 'acme' GROUP BY region`);
    // Raw numbers, rounded to what the stored two-decimal amounts can sum to: no float noise.
    for (const line of lines.slice(1)) expect(line.slice(line.lastIndexOf(',') + 1)).toMatch(/^-?\d+(\.\d{1,2})?$/);
    expect(lines).toHaveLength(oracle.length + 1);
    const csvRevenue = new Map(lines.slice(1).map((line) => [line.slice(0, line.lastIndexOf(',')), Number(line.slice(line.lastIndexOf(',') + 1))]));
    for (const row of oracle) {
      const key = row.region.startsWith('@') ? `'${row.region}` : row.region;
      expect(csvRevenue.get(key)).toBeCloseTo(Number(row.revenue), 2);
    }
    expect(lines).toContain(`'@SUM(1+1),12.5`);
    expectNoCanary(response.body);
    expect(eventsOf(response)).toMatchObject([{ action: 'export.run', outcome: 'success', distinctId: 'ed', resource: 'dashboard:sales/revenue_by_region' }]);
  });

  it('quotes and neutralises a formula cell containing quotes and commas', async () => {
    const token = await mintFor(perch, { role: 'explorer', attributes: ACME_FINANCE });
    const response = await call(perch, token, 'POST', '/v1/export', { dataset: 'orders', measures: ['orders'], dimensions: ['channel'], filters: [{ member: 'region', operator: 'equals', values: ['@SUM(1+1)'] }] });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('Sales channel,Orders\r\n"\'=HYPERLINK(""http://evil.example"",""x"")",1\r\n');
  });

  it('refuses viewers with 403 role_forbidden before running anything', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/export', { dashboard: 'sales', chart: 'revenue_kpi' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('role_forbidden');
    expect(eventsOf(response)).toMatchObject([{ action: 'export.run', outcome: 'refused', code: 'role_forbidden' }]);
  });

  it('applies dashboard scope to explorers too', async () => {
    const token = await mintFor(perch, { role: 'explorer', attributes: ACME_SALES, dashboards: [] });
    const response = await call(perch, token, 'POST', '/v1/export', { dashboard: 'sales', chart: 'revenue_kpi' });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('resource_forbidden');
  });
});

describe('GET /embed/*', () => {
  it('serves the entry with a short cache, CORS-readable, and revalidates with ETag', async () => {
    const response = await perch.app.inject({ method: 'GET', url: '/embed/perch.js', headers: { origin: 'https://host.example' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const etag = String(response.headers.etag);
    expect(etag).toMatch(/^".+"$/);
    const again = await perch.app.inject({ method: 'GET', url: '/embed/perch.js', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    const hashed = /from '\.\/([^']+)'/.exec(response.body)?.[1];
    expect(hashed).toMatch(/^perch\.[A-Z0-9]{8}\.js$/);
    const file = await perch.app.inject({ method: 'GET', url: `/embed/${hashed}` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(file.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for anything outside the build, and never a wildcard CORS header on data routes', async () => {
    for (const url of ['/embed/..%2Fpackage.json', '/embed/nope.js', '/embed/manifest.json']) {
      const response = await perch.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
    }
    // A live key, so the refusal is about the origin and not about a development token.
    const liveKey = await createApiKey(perch, 'live');
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES }, liveKey);
    const data = await perch.app.inject({ method: 'GET', url: '/v1/dashboards/sales', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(data.statusCode).toBe(403);
    expect(data.json().error.code).toBe('origin_forbidden');
    expect(data.headers['access-control-allow-origin']).not.toBe('*');
  });
});

describe('an expired token cannot export (Superset #24745)', () => {
  it('answers 401 token_expired once the token has expired, with no export.run success recorded', async () => {
    const clock = new TestClock();
    const timed = await startDashboardPerch('postgres', warehouse, { clock });
    try {
      const token = await mintFor(timed, { role: 'explorer', attributes: ACME_FINANCE, ttlSeconds: 60 });
      const body = { dashboard: 'sales', chart: 'revenue_by_region', filters: { dateRange: null } };
      const fresh = await call(timed, token, 'POST', '/v1/export', body);
      expect(fresh.statusCode).toBe(200);
      expect(fresh.body.split('\r\n')[0]).toBe('Region,Revenue');
      clock.advance(60 + 31); // past the TTL and the 30 s skew allowance
      const expired = await call(timed, token, 'POST', '/v1/export', body);
      expect(expired.statusCode).toBe(401);
      expect(expired.headers['content-type']).toMatch(/^application\/json/);
      expect(expired.json().error.code).toBe('token_expired');
      expect(expired.body).not.toContain('Region,Revenue');
      const events = timed.audit.byRequest(String(expired.headers['x-request-id']));
      expect(events.map((e) => [e.action, e.outcome, e.code])).toEqual([['token.reject', 'refused', 'token_expired']]);
    } finally {
      await timed.close();
    }
  });
});
