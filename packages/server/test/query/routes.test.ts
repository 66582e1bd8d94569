import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CANARIES, CANARIES, mintFor, openWarehouses, postQuery, startQueryPerch, type Warehouses } from './warehouse-fixture.js';
import { craft, validClaims } from '../identity/token-fixtures.js';
import type { TestPerch } from '../helpers/test-perch.js';
import { queryMetricsRegistry } from '../../src/query/metrics.js';

const ACME = { customerId: 'acme', department: 'sales' };

let warehouses: Warehouses;
let perch: TestPerch;

beforeAll(async () => {
  warehouses = await openWarehouses(5_000, 'perch_qroutes');
  ({ perch } = await startQueryPerch(warehouses.model, warehouses.duckdb));
});
afterAll(async () => {
  await perch?.close();
  await warehouses?.close();
});

function expectNoCanary(body: string, except: string[] = []) {
  for (const canary of ALL_CANARIES) if (!except.includes(canary)) expect(body).not.toContain(canary);
}

describe('POST /v1/query (ad-hoc)', () => {
  it('returns columns, rows and meta for an explorer, only for their tenant, and audits query.run with details', async () => {
    const token = await mintFor(perch, { distinctId: 'erin', role: 'explorer', attributes: { customerId: 'globex', department: 'finance' } });
    const response = await postQuery(perch, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id', 'region'], totals: true });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.columns.map((c: { name: string }) => c.name)).toEqual(['customer_id', 'region', 'orders']);
    expect(new Set(body.rows.map((r: { customer_id: string }) => r.customer_id))).toEqual(new Set(['globex']));
    // Positive control: this tenant's own canary rows are visible to it.
    expect(response.body).toContain(CANARIES.globex);
    expectNoCanary(response.body, [CANARIES.globex]);
    expect(body.meta).toMatchObject({ rowCount: body.rows.length, cacheHit: false, requestId: response.headers['x-request-id'] });
    expect(body.meta.totals.orders).toBe(body.rows.reduce((s: number, r: { orders: number }) => s + r.orders, 0));
    const events = perch.audit.byRequest(String(response.headers['x-request-id']));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'query.run', outcome: 'success', distinctId: 'erin', resource: 'dataset:orders' });
    expect(events[0]!.details).toMatchObject({ dataset: 'orders', members: ['customer_id', 'region', 'orders'], policies: expect.arrayContaining(['orders.tenant']), rowCount: body.rows.length, cacheHit: false });
    expect(typeof events[0]!.details!.filterFingerprint).toBe('string');

    const again = await postQuery(perch, token, { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id', 'region'], totals: true });
    expect(again.json().meta.cacheHit).toBe(true);
    expect(again.json().rows).toEqual(body.rows);
    const metrics = await queryMetricsRegistry.getMetricsAsJSON();
    const hits = metrics.find((m) => m.name === 'perch_query_cache_hits_total')!.values[0]!.value;
    expect(hits).toBeGreaterThanOrEqual(1);
  });

  it('compiles a repeated query once per user, and still refuses a user whose attributes are missing', async () => {
    const memoHits = async () => (await queryMetricsRegistry.getMetricsAsJSON()).find((m) => m.name === 'perch_query_compile_memo_hits_total')!.values[0]!.value;
    const query = { dataset: 'orders', measures: ['orders'], dimensions: ['customer_id', 'region'] };
    const acme = await mintFor(perch, { distinctId: 'memo-acme', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } });
    const globex = await mintFor(perch, { distinctId: 'memo-globex', role: 'explorer', attributes: { customerId: 'globex', department: 'finance' } });
    const before = await memoHits();
    const first = await postQuery(perch, acme, query);
    const second = await postQuery(perch, acme, query);
    expect(await memoHits()).toBe(before + 1);
    expect(second.json().rows).toEqual(first.json().rows);
    // Another tenant asking the very same query gets its own compile and only its own rows.
    const other = await postQuery(perch, globex, query);
    expect(await memoHits()).toBe(before + 1);
    expect(new Set(other.json().rows.map((r: { customer_id: string }) => r.customer_id))).toEqual(new Set(['globex']));
    expect(other.body).toContain(CANARIES.globex);
    expectNoCanary(other.body, [CANARIES.globex]);
    // A remembered compile never stands in for a refusal.
    const partial = await mintFor(perch, { distinctId: 'memo-acme', role: 'explorer', attributes: { department: 'finance' } });
    const refused = await postQuery(perch, partial, query);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('rls_attribute_missing');
    expectNoCanary(refused.body);
  });

  it('gives viewers 403 resource_forbidden on ad-hoc queries (audited as refused)', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME });
    const response = await postQuery(perch, token, { dataset: 'orders', measures: ['revenue'] });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('resource_forbidden');
    const events = perch.audit.byRequest(String(response.headers['x-request-id']));
    expect(events.map((e) => [e.action, e.outcome, e.code])).toEqual([['query.run', 'refused', 'resource_forbidden']]);
  });

  it('refuses the maker-only measure with member_forbidden for an explorer, and serves it to a maker', async () => {
    const explorer = await mintFor(perch, { role: 'explorer', attributes: ACME });
    const refused = await postQuery(perch, explorer, { dataset: 'orders', measures: ['margin'] });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'member_forbidden', path: 'measures[0]' });
    const maker = await mintFor(perch, { role: 'maker', attributes: ACME });
    const served = await postQuery(perch, maker, { dataset: 'orders', measures: ['margin', 'revenue'] });
    expect(served.statusCode).toBe(200);
    const row = served.json().rows[0];
    expect(row.margin).toBeCloseTo(row.revenue * 0.38, 6);
  });

  it.each([
    [{ dataset: 'orders', measures: ['nope'] }, 400, 'unknown_member', 'measures[0]'],
    [{ dataset: 'nope', measures: ['revenue'] }, 400, 'unknown_dataset', 'dataset'],
    [{ dataset: 'orders', measures: ['revenue'], filters: [{ member: 'region', operator: 'like', values: ['x'] }] }, 400, 'unknown_operator', 'filters[0].operator'],
    [{ dataset: 'orders', measures: ['revenue'], limit: -1 }, 400, 'invalid_limit', 'limit'],
    [{ dataset: 'orders', measures: ['revenue'], sql: 'SELECT 1' }, 400, 'unknown_field', 'sql'],
  ])('bad input %j → %i %s at %s, with no SQL in the body', async (body, status, code, path) => {
    const token = await mintFor(perch, { role: 'explorer', attributes: ACME });
    const response = await postQuery(perch, token, body);
    expect(response.statusCode).toBe(status);
    expect(response.json().error).toMatchObject({ code, path });
    expect(response.body).not.toMatch(/SELECT|FROM\s|WHERE/);
  });

  it('refuses a body nested ten thousand levels deep with 400 json_too_deep, not a 500, and audits the refusal', async () => {
    const token = await mintFor(perch, { role: 'explorer', attributes: ACME });
    // 40 KB, well under the body limit; walking it recursively would overflow the stack.
    const payload = `{"dataset":"orders","measures":["revenue"],"filters":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const response = await perch.app.inject({ method: 'POST', url: '/v1/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'json_too_deep', path: `filters${'[0]'.repeat(63)}` });
    const events = perch.audit.byRequest(String(response.headers['x-request-id']));
    expect(events).toMatchObject([{ action: 'query.run', outcome: 'refused', code: 'json_too_deep' }]);
  });
});

describe('POST /v1/query (dashboard form)', () => {
  it('runs an in-scope chart for a viewer, with picker values and a date range, only on their rows', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: { customerId: 'initech', department: 'operations' }, dashboards: ['sales'] });
    const response = await postQuery(perch, token, { dashboard: 'sales', chart: 'revenue_by_region', filters: { dateRange: ['2023-01-01', '2026-12-31'], values: { channel: [CANARIES.initech] } } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    // Only initech's canary rows have that channel: the picker filter was applied.
    expect(body.rows).toEqual([{ region: CANARIES.initech, revenue: expect.any(Number) }]);
    expectNoCanary(response.body, [CANARIES.initech]);
    const events = perch.audit.byRequest(String(response.headers['x-request-id']));
    expect(events[0]).toMatchObject({ action: 'query.run', outcome: 'success', resource: 'dashboard:sales/revenue_by_region' });
  });

  it('applies the dashboard default date range when the client sends none', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: { customerId: 'acme', department: 'finance' } });
    const withDefault = await postQuery(perch, token, { dashboard: 'sales', chart: 'orders_kpi' });
    const allTime = await postQuery(perch, token, { dashboard: 'sales', chart: 'orders_kpi', filters: { dateRange: null } });
    expect(withDefault.statusCode).toBe(200);
    expect(allTime.statusCode).toBe(200);
    // The demo data ends on 2026-10-31; "last 12 months" from now covers at most part of it.
    expect(withDefault.json().rows[0].orders).toBeLessThan(allTime.json().rows[0].orders);
  });

  it('refuses out-of-scope and unknown dashboards alike with 403 resource_forbidden', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME, dashboards: ['other'] });
    for (const dashboard of ['sales', 'missing']) {
      const response = await postQuery(perch, token, { dashboard, chart: 'revenue_kpi' });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('resource_forbidden');
    }
  });

  it('never accepts a client-sent query, and accepts picker values only for declared pickers', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME, dashboards: '*' });
    const smuggled = await postQuery(perch, token, { dashboard: 'sales', chart: 'revenue_kpi', query: { dataset: 'customers', dimensions: ['name'] } });
    expect(smuggled.statusCode).toBe(400);
    expect(smuggled.json().error).toMatchObject({ code: 'unknown_field', path: 'query' });
    const mixed = await postQuery(perch, token, { dashboard: 'sales', chart: 'revenue_kpi', dataset: 'customers' });
    expect(mixed.statusCode).toBe(400);
    const notAPicker = await postQuery(perch, token, { dashboard: 'sales', chart: 'revenue_kpi', filters: { values: { customer_id: ['globex'] } } });
    expect(notAPicker.statusCode).toBe(400);
    expect(notAPicker.json().error).toMatchObject({ code: 'unknown_member', path: 'filters.values.customer_id' });
    const noChart = await postQuery(perch, token, { dashboard: 'sales', chart: 'nope' });
    expect(noChart.statusCode).toBe(404);
  });
});

describe('missing attributes', () => {
  it.each([
    ['orders', { department: 'sales' }],
    ['orders', { customerId: 'acme' }],
    ['customers', { department: 'sales' }],
  ])('a token without an attribute %s needs → 403 rls_attribute_missing (minted)', async (dataset, attributes) => {
    const token = await mintFor(perch, { role: 'explorer', attributes });
    const measure = dataset === 'orders' ? 'orders' : 'count';
    const response = await postQuery(perch, token, { dataset, measures: [measure] });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('rls_attribute_missing');
    expectNoCanary(response.body);
  });

  it('a crafted token with no attributes at all is refused on every dataset that has RLS, also for joined members and dashboards', async () => {
    const token = await craft(perch, validClaims(perch, { user: { distinctId: 'alice', role: 'explorer', attributes: {} }, scope: { dashboards: ['sales'], assistant: false } }));
    for (const body of [
      { dataset: 'orders', measures: ['orders'] },
      { dataset: 'customers', measures: ['count'] },
      { dataset: 'products', measures: ['count'], dimensions: [] },
      { dashboard: 'sales', chart: 'top_products' },
    ]) {
      const response = await postQuery(perch, token, body);
      if ('dataset' in body && body.dataset === 'products') {
        // products is explicitly `rowLevelSecurity: none`: no attribute needed.
        expect(response.statusCode).toBe(200);
      } else {
        expect(response.statusCode, JSON.stringify(body)).toBe(403);
        expect(response.json().error.code).toBe('rls_attribute_missing');
      }
    }
  });

  it('a null attribute is refused at mint', async () => {
    await expect(mintFor(perch, { attributes: { customerId: null, department: 'sales' } })).rejects.toThrow(/400/);
  });
});

describe('GET /v1/catalog and /v1/values', () => {
  it('omits maker-only members for viewers and explorers, lists them for makers, and audits catalog.read', async () => {
    const names = async (role: 'viewer' | 'explorer' | 'maker') => {
      const token = await mintFor(perch, { role, attributes: ACME });
      const response = await perch.app.inject({ method: 'GET', url: '/v1/catalog', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(200);
      const events = perch.audit.byRequest(String(response.headers['x-request-id']));
      expect(events.map((e) => [e.action, e.outcome])).toEqual([['catalog.read', 'success']]);
      return (response.json().datasets.find((d: { name: string }) => d.name === 'orders').members as Array<{ name: string }>).map((m) => m.name);
    };
    for (const role of ['viewer', 'explorer'] as const) {
      const members = await names(role);
      expect(members).toContain('revenue');
      for (const hidden of ['cost', 'margin', 'margin_pct']) expect(members).not.toContain(hidden);
    }
    expect(await names('maker')).toEqual(expect.arrayContaining(['cost', 'margin', 'margin_pct']));
  });

  it('returns distinct values under RLS for explorers, picker members only for viewers, and audits values.read', async () => {
    const explorer = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } });
    const get = (token: string, query: string) => perch.app.inject({ method: 'GET', url: `/v1/values?${query}`, headers: { authorization: `Bearer ${token}` } });
    const regions = await get(explorer, 'dataset=orders&member=region');
    expect(regions.statusCode).toBe(200);
    expect(regions.json().rows.map((r: { region: string }) => r.region).sort()).toEqual(['AMER', 'APAC', 'EMEA']);
    expectNoCanary(regions.body);
    expect(perch.audit.byRequest(String(regions.headers['x-request-id']))[0]).toMatchObject({ action: 'values.read', outcome: 'success', resource: 'dataset:orders' });

    const globexViewer = await mintFor(perch, { role: 'viewer', attributes: { customerId: 'globex', department: 'finance' } });
    const picker = await get(globexViewer, 'dashboard=sales&member=channel&search=CANARY');
    expect(picker.statusCode).toBe(200);
    expect(picker.json().rows).toEqual([{ channel: CANARIES.globex }]);
    const adHoc = await get(globexViewer, 'dataset=orders&member=channel');
    expect(adHoc.statusCode).toBe(403);
    expect(adHoc.json().error.code).toBe('resource_forbidden');
    const notPicker = await get(globexViewer, 'dashboard=sales&member=customer_id');
    expect(notPicker.statusCode).toBe(400);
    expect(notPicker.json().error).toMatchObject({ code: 'unknown_member', path: 'member' });
  });
});

describe('POST /v1/access/explain', () => {
  const explain = (body: unknown, key = perch.adminKey) =>
    perch.app.inject({ method: 'POST', url: '/v1/access/explain', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });

  it('returns the policies with the values bound, names missing attributes, and audits access.explain', async () => {
    const response = await explain({ user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } }, dataset: 'orders' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.outcome).toBe('denied');
    expect(body.missingAttributes).toEqual(['department']);
    const tenant = body.rowLevelSecurity.children.find((c: { id: string }) => c.id === 'orders.tenant');
    expect(tenant).toMatchObject({ column: 'customer_id', attribute: 'customerId', value: 'acme', status: 'bound' });
    expect(body.hiddenMembers).toEqual(expect.arrayContaining(['cost', 'margin', 'margin_pct']));
    expect(body.joins.customer.rowLevelSecurity).toMatchObject({ value: 'acme', status: 'bound' });
    const events = perch.audit.byRequest(String(response.headers['x-request-id']));
    expect(events.map((e) => [e.action, e.outcome, e.resource])).toEqual([['access.explain', 'success', 'dataset:orders']]);
  });

  it.each([
    [{ user: { distinctId: 'a', role: 'wizard', attributes: {} }, dataset: 'orders' }, 'unknown_role', 'user.role'],
    [{ user: { distinctId: 'a', role: 'viewer', attributes: { customerId: null } }, dataset: 'orders' }, 'invalid_attribute_value', 'user.attributes.customerId'],
    [{ user: { distinctId: 'a', role: 'viewer' }, dataset: 'nope' }, 'unknown_dataset', 'dataset'],
    [{ user: { distinctId: 'a', role: 'viewer' } }, 'missing_field', 'dataset'],
  ])('refuses %j with 400 %s at %s', async (body, code, path) => {
    const response = await explain(body);
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code, path });
  });

  it('needs an admin API key (an embed token is not one)', async () => {
    const token = await mintFor(perch, { role: 'admin', attributes: ACME });
    const response = await explain({ user: { distinctId: 'a', role: 'viewer' }, dataset: 'orders' }, token);
    expect(response.statusCode).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('documents the query routes', async () => {
    const response = await perch.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/v1/query', '/v1/catalog', '/v1/values', '/v1/access/explain']));
  });
});
