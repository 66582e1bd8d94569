import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_CANARIES, CANARIES, call, mintFor, openDuckWarehouse, startDashboardPerch, type DuckWarehouse } from './fixture.js';
import { STORE_KINDS } from '../helpers/stores.js';
import type { TestPerch } from '../helpers/test-perch.js';

const ACME = { customerId: 'acme', department: 'finance' };
const GLOBEX = { customerId: 'globex', department: 'finance' };

/** A maker's dashboard: one chart only makers may see (margin) and one every viewer may see. */
function board(id: string, title = 'Team board') {
  return {
    id,
    title,
    charts: [
      { id: 'team_revenue', type: 'kpi', title: 'Revenue', query: { dataset: 'orders', measures: ['revenue'] } },
      { id: 'team_secret', type: 'kpi', title: 'Hidden tile', query: { dataset: 'orders', measures: ['margin'] } },
      { id: 'by_channel', type: 'bar', title: 'By channel', query: { dataset: 'orders', measures: ['orders'], dimensions: ['channel'] } },
    ],
    filters: { pickers: [{ member: 'channel' }] },
  };
}

let warehouse: DuckWarehouse;
beforeAll(async () => {
  warehouse = await openDuckWarehouse(2_000, 'perch-dash-maker');
});
afterAll(async () => {
  await warehouse?.close();
});

describe.each(STORE_KINDS)('maker dashboards on the %s store', (kind) => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startDashboardPerch(kind, warehouse);
  });
  afterAll(async () => {
    await perch?.close();
  });

  // One token per maker for the whole suite (tokens are not what these tests are about).
  const makerTokens = new Map<string, Promise<string>>();
  const maker = (attributes: Record<string, unknown>, distinctId = 'mia') => {
    const key = `${distinctId}:${JSON.stringify(attributes)}`;
    if (!makerTokens.has(key)) makerTokens.set(key, mintFor(perch, { distinctId, role: 'maker', attributes, dashboards: '*' }));
    return makerTokens.get(key)!;
  };

  it('creates a dashboard for the maker’s tenant that the tenant’s viewers can open and run, audited', async () => {
    const token = await maker(ACME);
    const created = await call(perch, token, 'POST', '/v1/dashboards', board('team_board'));
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ id: 'team_board', version: 1 });
    expect(perch.audit.byRequest(String(created.headers['x-request-id']))).toMatchObject([{ action: 'dashboard.create', outcome: 'success', resource: 'dashboard:team_board' }]);

    const listed = await call(perch, token, 'GET', '/v1/dashboards');
    expect(listed.json().dashboards.map((d: { id: string; source: string }) => `${d.source}:${d.id}`)).toEqual(['model:sales', 'saved:team_board']);

    const viewer = await mintFor(perch, { role: 'viewer', attributes: ACME, dashboards: ['team_board'] });
    const opened = await call(perch, viewer, 'GET', '/v1/dashboards/team_board');
    expect(opened.statusCode).toBe(200);
    const charts = opened.json().charts as Array<{ id: string; permitted: boolean; query: unknown }>;
    expect(charts.map((c) => [c.id, c.permitted])).toEqual([['team_revenue', true], ['team_secret', false], ['by_channel', true]]);
    // The hidden chart's query is stripped: the member name never reaches a viewer.
    expect(charts[1]!.query).toEqual({ dataset: 'orders' });
    expect(opened.body).not.toContain('margin');
    expect(opened.json().filters.pickers).toEqual([{ member: 'channel', title: warehouse.model.datasets.get('orders')!.dimensions.get('channel')!.title }]);

    const run = await call(perch, viewer, 'POST', '/v1/query', { dashboard: 'team_board', chart: 'by_channel' });
    expect(run.statusCode).toBe(200);
    const oracle = await warehouse.sql<{ channel: string; n: number }>(`SELECT channel, count(*) AS n FROM orders WHERE customer_id = 'acme' GROUP BY channel`);
    expect(Object.fromEntries(run.json().rows.map((r: { channel: string; orders: number }) => [r.channel, r.orders]))).toEqual(Object.fromEntries(oracle.map((r) => [r.channel, Number(r.n)])));
    for (const canary of ALL_CANARIES) expect(run.body).not.toContain(canary);
    const hidden = await call(perch, viewer, 'POST', '/v1/query', { dashboard: 'team_board', chart: 'team_secret' });
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json().error.code).toBe('member_forbidden');
    const values = await call(perch, viewer, 'GET', '/v1/dashboards/team_board/filter-values?member=channel');
    expect(values.statusCode).toBe(200);
    expect([...values.json().values].sort()).toEqual(oracle.map((r) => r.channel).sort());
  });

  it('looks up a picker on a joined member in a chart dataset that has the join, whichever chart comes first', async () => {
    const token = await maker(ACME);
    const joined = {
      id: 'joined_picker',
      title: 'Joined picker',
      charts: [
        { id: 'by_category', type: 'bar', title: 'Products', query: { dataset: 'products', measures: ['count'], dimensions: ['category'] } },
        { id: 'by_segment', type: 'bar', title: 'Orders by segment', query: { dataset: 'orders', measures: ['orders'], dimensions: ['customer.segment'] } },
      ],
      filters: { pickers: [{ member: 'customer.segment' }] },
    };
    expect((await call(perch, token, 'POST', '/v1/dashboards', joined)).statusCode).toBe(201);
    const values = await call(perch, token, 'GET', '/v1/dashboards/joined_picker/filter-values?member=customer.segment');
    expect(values.statusCode, values.body).toBe(200);
    // ACME's department is finance, which sees every department's orders.
    const oracle = await warehouse.sql<{ segment: string }>(`SELECT DISTINCT c.segment FROM orders o JOIN customers c ON c.customer_id = o.customer_id WHERE o.customer_id = 'acme'`);
    expect([...values.json().values].sort()).toEqual(oracle.map((r) => r.segment).sort());
    for (const canary of ALL_CANARIES) expect(values.body).not.toContain(canary);
  });

  it('keeps tenant B out of tenant A’s dashboards: no list entry, no open, no run, no edit, no delete', async () => {
    const a = await maker(ACME);
    expect((await call(perch, a, 'POST', '/v1/dashboards', board('acme_only', 'Acme only'))).statusCode).toBe(201);
    const b = await maker(GLOBEX, 'bob');
    expect((await call(perch, b, 'GET', '/v1/dashboards')).json().dashboards.map((d: { id: string }) => d.id)).toEqual(['sales']);
    for (const [method, url, body] of [
      ['GET', '/v1/dashboards/acme_only', undefined],
      ['GET', '/v1/dashboards/acme_only/filter-values?member=channel', undefined],
      ['POST', '/v1/query', { dashboard: 'acme_only', chart: 'by_channel' }],
      ['PUT', '/v1/dashboards/acme_only', board('acme_only', 'Taken over')],
      ['DELETE', '/v1/dashboards/acme_only', undefined],
    ] as const) {
      const response = await call(perch, b, method, url, body, { 'if-match': '"1"' });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      expect(response.json().error.code).toBe('resource_forbidden');
    }
    const still = await call(perch, a, 'GET', '/v1/dashboards/acme_only');
    expect(still.json().title).toBe('Acme only');
    // Tenant B may use the same id for its own dashboard; each tenant sees its own.
    expect((await call(perch, b, 'POST', '/v1/dashboards', board('acme_only', 'Globex copy'))).statusCode).toBe(201);
    expect((await call(perch, b, 'GET', '/v1/dashboards/acme_only')).json().title).toBe('Globex copy');
    expect((await call(perch, a, 'GET', '/v1/dashboards/acme_only')).json().title).toBe('Acme only');
    const globexRun = await call(perch, b, 'POST', '/v1/query', { dashboard: 'acme_only', chart: 'by_channel' });
    expect(globexRun.body).toContain(CANARIES.globex);
    expect(globexRun.body).not.toContain(CANARIES.initech);
  });

  it('updates with optimistic versions and deletes; stale versions get 409 and change nothing', async () => {
    const token = await maker(ACME);
    await call(perch, token, 'POST', '/v1/dashboards', board('editable'));
    const updated = await call(perch, token, 'PUT', '/v1/dashboards/editable', board('editable', 'Renamed'), { 'if-match': '"1"' });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toEqual({ id: 'editable', version: 2 });
    expect(updated.headers.etag).toBe('"2"');
    const stale = await call(perch, token, 'PUT', '/v1/dashboards/editable', board('editable', 'Lost update'), { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('edit_conflict');
    expect((await call(perch, token, 'GET', '/v1/dashboards/editable')).json().title).toBe('Renamed');
    const mismatch = await call(perch, token, 'PUT', '/v1/dashboards/editable', board('other_id'), { 'if-match': '"2"' });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().error.path).toBe('id');
    const deleted = await call(perch, token, 'DELETE', '/v1/dashboards/editable');
    expect(deleted.statusCode).toBe(204);
    expect(perch.audit.byRequest(String(deleted.headers['x-request-id']))).toMatchObject([{ action: 'dashboard.delete', outcome: 'success' }]);
    expect((await call(perch, token, 'GET', '/v1/dashboards/editable')).statusCode).toBe(403);
    expect((await call(perch, token, 'DELETE', '/v1/dashboards/editable')).statusCode).toBe(403);
  });

  it.each([
    ['a viewer', { role: 'viewer', attributes: ACME }, board('v1'), 403, 'role_forbidden', undefined],
    ['an explorer', { role: 'explorer', attributes: ACME }, board('e1'), 403, 'role_forbidden', undefined],
    ['a maker without a tenant attribute', { role: 'maker', attributes: { department: 'finance' } }, board('t1'), 403, 'rls_attribute_missing', 'user.attributes.customerId'],
    ['a maker whose chart cannot compile for them (no department)', { role: 'maker', attributes: { customerId: 'acme' } }, board('d1'), 403, 'rls_attribute_missing', 'charts[0].query'],
    ['an unknown member', { role: 'maker', attributes: ACME }, { ...board('u1'), charts: [{ id: 'c', type: 'kpi', query: { dataset: 'orders', measures: ['profit'] } }] }, 400, 'invalid_request', 'charts[0].query.measures[0]'],
    ['a picker on no chart dataset', { role: 'maker', attributes: ACME }, { ...board('p1'), filters: { pickers: [{ member: 'colour' }] } }, 400, 'invalid_request', 'filters.pickers[0].member'],
    ['client SQL', { role: 'maker', attributes: ACME }, { ...board('s1'), charts: [{ id: 'c', type: 'kpi', query: { dataset: 'orders', measures: ['revenue'], sql: 'select 1' } }] }, 400, 'invalid_request', 'charts[0].query.sql'],
    ['a reserved key', { role: 'maker', attributes: ACME }, JSON.parse('{"id":"r1","title":"R","charts":[],"__proto__":{"x":1}}'), 400, 'invalid_request', '__proto__'],
    ['a model dashboard id', { role: 'maker', attributes: ACME }, board('sales'), 409, 'conflict', 'id'],
    ['an id outside the token scope', { role: 'maker', attributes: ACME, dashboards: ['elsewhere'] }, board('s2'), 403, 'resource_forbidden', 'dashboard'],
  ] as const)('refuses %s and saves nothing', async (_label, user, body, status, code, path) => {
    const token = await mintFor(perch, { dashboards: '*', ...user } as Parameters<typeof mintFor>[1]);
    const response = await call(perch, token, 'POST', '/v1/dashboards', body);
    expect(response.statusCode).toBe(status);
    expect(response.json().error.code).toBe(code);
    if (path !== undefined) expect(response.json().error.path).toBe(path);
    expect(response.body).not.toMatch(/select .* from/i);
    const admin = await maker(ACME);
    const ids = (await call(perch, admin, 'GET', '/v1/dashboards')).json().dashboards.map((d: { id: string; source: string }) => `${d.source}:${d.id}`);
    expect(ids).not.toContain(`saved:${(body as { id: string }).id}`);
  });

  it('changes nothing when the audit trail cannot record a write (create, update, delete all reverted)', async () => {
    const token = await maker(ACME);
    const memory = perch.audit as unknown as { failing: boolean };
    expect((await call(perch, token, 'POST', '/v1/dashboards', board('audited', 'Original'))).statusCode).toBe(201);
    const titleOf = async (id: string) => {
      const response = await call(perch, token, 'GET', `/v1/dashboards/${id}`);
      return response.statusCode === 200 ? (response.json().title as string) : response.statusCode;
    };
    memory.failing = true;
    try {
      const created = await call(perch, token, 'POST', '/v1/dashboards', board('unaudited'));
      const updated = await call(perch, token, 'PUT', '/v1/dashboards/audited', board('audited', 'Changed'), { 'if-match': '"1"' });
      const deleted = await call(perch, token, 'DELETE', '/v1/dashboards/audited');
      for (const response of [created, updated, deleted]) {
        expect(response.statusCode).toBe(503);
        expect(response.json().error.code).toBe('audit_unavailable');
      }
    } finally {
      memory.failing = false;
    }
    expect(await titleOf('unaudited')).toBe(403);
    expect(await titleOf('audited')).toBe('Original');
    // The restored row keeps its version: a client holding version 1 can still update it.
    expect((await call(perch, token, 'PUT', '/v1/dashboards/audited', board('audited', 'Next'), { 'if-match': '"1"' })).json()).toEqual({ id: 'audited', version: 2 });
  });

  it('refuses a second dashboard with the same id in the same tenant with 409, keeping the first', async () => {
    const token = await maker(ACME);
    expect((await call(perch, token, 'POST', '/v1/dashboards', board('twice', 'First'))).statusCode).toBe(201);
    const again = await call(perch, token, 'POST', '/v1/dashboards', board('twice', 'Second'));
    expect(again.statusCode).toBe(409);
    expect((await call(perch, token, 'GET', '/v1/dashboards/twice')).json().title).toBe('First');
  });
});
