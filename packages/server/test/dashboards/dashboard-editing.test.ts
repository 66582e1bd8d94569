/**
 * The maker editor's server side: the list's `editable`/`canCreate`, the definition to edit,
 * If-Match/ETag concurrency, versions and restore, the saved-dashboard limits, and tenant
 * isolation of every route, on both metadata stores.
 *
 * The model is the demo model with one change: `cost` is hidden by an attribute rule (finance
 * only) instead of by role, so two makers of the same tenant see different members.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { parseModel } from '@perch/engine';
import { ALL_CANARIES, MODEL_DIR, call, mintFor, openDuckWarehouse, startDashboardPerch, type DuckWarehouse, type TestUser } from './fixture.js';
import { STORE_KINDS } from '../helpers/stores.js';
import type { TestPerch } from '../helpers/test-perch.js';
import type { MemoryAuditSink } from '../helpers/memory-audit.js';

const FINANCE = { customerId: 'acme', department: 'finance' };
const SALES = { customerId: 'acme', department: 'sales' };
const GLOBEX = { customerId: 'globex', department: 'finance' };

/** Values only acme's saved dashboard carries; no answer to another tenant may contain them. */
const CANARY_TITLE = 'CANARY_ACME_TITLE_5d1e';
const CANARY_CHART = 'canary_chart_8b2f';
const CANARY_DESCRIPTION = 'CANARY_ACME_DESCRIPTION_a7c0';

function chart(id: string, measure: string, title = id) {
  return { id, type: 'kpi', title, query: { dataset: 'orders', measures: [measure] } };
}

/** A dashboard everyone of the tenant can run, with a layout and a picker. */
function board(id: string, title = 'Board', charts = [chart('revenue_kpi', 'revenue'), chart('orders_kpi', 'orders')]) {
  return { id, title, charts, layout: charts.map((c, i) => ({ chart: c.id, x: (i % 2) * 6, y: Math.floor(i / 2) * 2, w: 6, h: 2 })), filters: { pickers: [{ member: 'channel' }] } };
}

/** The finance maker's dashboard: one chart on `cost`, which a sales maker may not see. */
function financeBoard(id: string) {
  return board(id, 'Finance board', [chart('revenue_kpi', 'revenue'), chart('hidden_tile', 'cost', 'Hidden tile'), chart('orders_kpi', 'orders')]);
}

let warehouse: DuckWarehouse;
beforeAll(async () => {
  const opened = await openDuckWarehouse(1_000, 'perch-dash-editing');
  const demo = readFileSync(join(MODEL_DIR, 'demo.yaml'), 'utf8');
  const changed = demo.replace('cost: { roles: [maker, admin] }', 'cost: { attribute: { name: department, in: [finance] } }');
  if (changed === demo) throw new Error('the demo model no longer has the cost member rule this suite changes');
  warehouse = { ...opened, model: parseModel([{ file: 'demo.yaml', text: changed }]) };
});
afterAll(async () => {
  await warehouse?.close();
});

describe.each(STORE_KINDS)('the dashboard editor routes on the %s store', (kind) => {
  let perch: TestPerch;
  const tokens = new Map<string, Promise<string>>();
  const token = (user: TestUser) => {
    const key = JSON.stringify(user);
    if (!tokens.has(key)) tokens.set(key, mintFor(perch, { dashboards: '*', ...user }));
    return tokens.get(key)!;
  };
  const finance = () => token({ distinctId: 'fiona', role: 'maker', attributes: FINANCE });
  const sales = () => token({ distinctId: 'sam', role: 'maker', attributes: SALES });
  const viewer = () => token({ distinctId: 'vic', role: 'viewer', attributes: FINANCE });
  const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });
  const versionsOf = async (id: string) => (await call(perch, await finance(), 'GET', `/v1/dashboards/${id}/versions`)).json().versions as Array<{ version: number; title: string; current: boolean; savedBy: string; charts: number }>;
  const storedVersions = async (id: string) => {
    const result = await sql<{ n: string }>`select count(*) as n from dashboard_versions where id = ${id}`.execute(perch.ctx.store.db);
    return Number(result.rows[0]!.n);
  };

  beforeAll(async () => {
    perch = await startDashboardPerch(kind, warehouse);
  });
  afterAll(async () => {
    await perch?.close();
  });

  it('lists saved dashboards as editable only for makers who can run every chart, and says who may create', async () => {
    expect((await call(perch, await finance(), 'POST', '/v1/dashboards', board('plain'))).statusCode).toBe(201);
    expect((await call(perch, await finance(), 'POST', '/v1/dashboards', financeBoard('finance_only'))).statusCode).toBe(201);
    const entries = async (t: string) => {
      const body = (await call(perch, t, 'GET', '/v1/dashboards')).json() as { dashboards: Array<{ id: string; source: string; editable: boolean; version?: number }>; canCreate: boolean };
      return { canCreate: body.canCreate, byId: Object.fromEntries(body.dashboards.map((d) => [d.id, { source: d.source, editable: d.editable, version: d.version }])) };
    };
    const asFinance = await entries(await finance());
    expect(asFinance.canCreate).toBe(true);
    expect(asFinance.byId).toMatchObject({ sales: { source: 'model', editable: false }, plain: { source: 'saved', editable: true, version: 1 }, finance_only: { source: 'saved', editable: true } });
    const asSales = await entries(await sales());
    expect(asSales.byId).toMatchObject({ plain: { editable: true }, finance_only: { editable: false } });
    const asViewer = await entries(await viewer());
    expect(asViewer.canCreate).toBe(false);
    expect(asViewer.byId).toMatchObject({ plain: { editable: false }, finance_only: { editable: false } });
    const noTenant = await entries(await token({ distinctId: 'nt', role: 'maker', attributes: { department: 'finance' } }));
    expect(noTenant.canCreate).toBe(false);
  });

  it('answers the definition to edit with its ETag, audited; model dashboards are not editable', async () => {
    const saved = board('to_edit', 'To edit');
    expect((await call(perch, await finance(), 'POST', '/v1/dashboards', saved)).headers.etag).toBe('"1"');
    const response = await call(perch, await finance(), 'GET', '/v1/dashboards/to_edit/definition');
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"1"');
    // The stored form with the engine's defaults filled in (`dimensions: []`…), and nothing else.
    expect(response.json()).toMatchObject({ definition: saved, source: 'saved', version: 1, editable: true, omittedCharts: [] });
    expect(Object.keys(response.json().definition).sort()).toEqual(Object.keys(saved).sort());
    // What the editor reads, it can save back as it is.
    const again = await call(perch, await finance(), 'PUT', '/v1/dashboards/to_edit', response.json().definition, ifMatch(1));
    expect(again.json()).toEqual({ id: 'to_edit', version: 2 });
    expect(perch.audit.byRequest(String(response.headers['x-request-id']))).toMatchObject([{ action: 'dashboard.read_definition', outcome: 'success', resource: 'dashboard:to_edit', distinctId: 'fiona' }]);

    const model = await call(perch, await finance(), 'GET', '/v1/dashboards/sales/definition');
    expect(model.statusCode).toBe(200);
    expect(model.headers.etag).toBeUndefined();
    expect(model.json()).toMatchObject({ source: 'model', editable: false, omittedCharts: [], definition: { id: 'sales' } });
    expect(model.json().version).toBeUndefined();
    expect(model.json().definition.charts.length).toBe(warehouse.model.dashboards.get('sales')!.charts.length);
  });

  it('leaves out the charts this maker cannot run, with their layout cells, and never names their members', async () => {
    await call(perch, await finance(), 'POST', '/v1/dashboards', financeBoard('trimmed'));
    const response = await call(perch, await sales(), 'GET', '/v1/dashboards/trimmed/definition');
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ source: 'saved', version: 1, editable: false, omittedCharts: ['hidden_tile'] });
    expect(body.definition.charts.map((c: { id: string }) => c.id)).toEqual(['revenue_kpi', 'orders_kpi']);
    expect(body.definition.layout.map((c: { chart: string }) => c.chart)).toEqual(['revenue_kpi', 'orders_kpi']);
    expect(response.body).not.toContain('"cost"');
    expect(response.body).not.toContain('Hidden tile');
  });

  it('refuses the definition to viewers (role_forbidden) and unknown or out-of-scope ids (resource_forbidden)', async () => {
    await call(perch, await finance(), 'POST', '/v1/dashboards', board('scoped'));
    const cases: Array<[string, TestUser, string, string]> = [
      ['a viewer', { distinctId: 'vic', role: 'viewer', attributes: FINANCE }, 'scoped', 'role_forbidden'],
      ['an explorer', { distinctId: 'eve', role: 'explorer', attributes: FINANCE }, 'scoped', 'role_forbidden'],
      ['an unknown id', { distinctId: 'fiona', role: 'maker', attributes: FINANCE }, 'nowhere', 'resource_forbidden'],
      ['an id outside the scope', { distinctId: 'fiona', role: 'maker', attributes: FINANCE, dashboards: ['sales'] }, 'scoped', 'resource_forbidden'],
    ];
    for (const [label, user, id, code] of cases) {
      const response = await call(perch, await token(user), 'GET', `/v1/dashboards/${id}/definition`);
      expect(response.statusCode, label).toBe(403);
      expect(response.json().error.code, label).toBe(code);
      expect(perch.audit.byRequest(String(response.headers['x-request-id'])), label).toMatchObject([{ action: 'dashboard.read_definition', outcome: 'refused', code }]);
    }
  });

  it('requires If-Match on PUT and restore (428), refuses a stale one (409 edit_conflict) and a malformed one (400), changing nothing', async () => {
    const t = await finance();
    await call(perch, t, 'POST', '/v1/dashboards', board('guarded', 'Guarded'));
    const missing = await call(perch, t, 'PUT', '/v1/dashboards/guarded', board('guarded', 'Blind write'));
    expect(missing.statusCode).toBe(428);
    expect(missing.json().error).toMatchObject({ code: 'precondition_required', path: 'if-match' });
    const restoreMissing = await call(perch, t, 'POST', '/v1/dashboards/guarded/restore', { version: 1 });
    expect(restoreMissing.statusCode).toBe(428);
    for (const bad of ['1', 'W/"1"', '"1", "2"', '*', '"x"']) {
      const malformed = await call(perch, t, 'PUT', '/v1/dashboards/guarded', board('guarded', 'Odd'), { 'if-match': bad });
      expect(malformed.statusCode, bad).toBe(400);
      expect(malformed.json().error).toMatchObject({ code: 'invalid_request', path: 'if-match' });
    }
    const ok = await call(perch, t, 'PUT', '/v1/dashboards/guarded', board('guarded', 'Second'), ifMatch(1));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    const stale = await call(perch, t, 'PUT', '/v1/dashboards/guarded', board('guarded', 'Lost'), ifMatch(1));
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('edit_conflict');
    expect(stale.json().error.message).not.toMatch(/select|update|version =/i);
    const staleDelete = await call(perch, t, 'DELETE', '/v1/dashboards/guarded', undefined, ifMatch(1));
    expect(staleDelete.statusCode).toBe(409);
    expect(staleDelete.json().error.code).toBe('edit_conflict');
    expect((await call(perch, t, 'GET', '/v1/dashboards/guarded')).json().title).toBe('Second');
    expect((await versionsOf('guarded')).map((v) => v.version)).toEqual([2, 1]);
    // DELETE without If-Match is allowed; with the current version too.
    expect((await call(perch, t, 'DELETE', '/v1/dashboards/guarded', undefined, ifMatch(2))).statusCode).toBe(204);
    await call(perch, t, 'POST', '/v1/dashboards', board('unguarded'));
    expect((await call(perch, t, 'DELETE', '/v1/dashboards/unguarded')).statusCode).toBe(204);
  });

  it('lets a browser send If-Match and read ETag across origins (CORS)', async () => {
    const preflight = await perch.app.inject({
      method: 'OPTIONS',
      url: '/v1/dashboards/anything',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type, if-match' },
    });
    expect(preflight.statusCode).toBeLessThan(300);
    expect(String(preflight.headers['access-control-allow-headers']).split(',').map((h) => h.trim())).toContain('if-match');
    const answer = await call(perch, await finance(), 'GET', '/v1/dashboards', undefined, { origin: 'https://app.example.com' });
    expect(String(answer.headers['access-control-expose-headers'] ?? '').split(',').map((h) => h.trim())).toContain('etag');
  });

  it('keeps every version, lists them newest first and restores one as a new version, audited with the maker', async () => {
    const t = await finance();
    await call(perch, t, 'POST', '/v1/dashboards', board('history', 'First'));
    await call(perch, await sales(), 'PUT', '/v1/dashboards/history', board('history', 'Second'), ifMatch(1));
    await call(perch, t, 'PUT', '/v1/dashboards/history', board('history', 'Third', [chart('revenue_kpi', 'revenue')]), ifMatch(2));
    const listed = await call(perch, t, 'GET', '/v1/dashboards/history/versions');
    expect(listed.statusCode).toBe(200);
    expect(listed.json().versions.map(({ version, title, charts, current, savedBy }: Record<string, unknown>) => ({ version, title, charts, current, savedBy }))).toEqual([
      { version: 3, title: 'Third', charts: 1, current: true, savedBy: 'fiona' },
      { version: 2, title: 'Second', charts: 2, current: false, savedBy: 'sam' },
      { version: 1, title: 'First', charts: 2, current: false, savedBy: 'fiona' },
    ]);
    for (const v of listed.json().versions) expect(new Date(v.savedAt).toISOString()).toBe(v.savedAt);
    expect(perch.audit.byRequest(String(listed.headers['x-request-id']))).toMatchObject([{ action: 'dashboard.versions', outcome: 'success', distinctId: 'fiona' }]);

    const restored = await call(perch, t, 'POST', '/v1/dashboards/history/restore', { version: 1 }, ifMatch(3));
    expect(restored.statusCode).toBe(200);
    expect(restored.json()).toEqual({ id: 'history', version: 4 });
    expect(restored.headers.etag).toBe('"4"');
    expect(perch.audit.byRequest(String(restored.headers['x-request-id']))).toMatchObject([
      { action: 'dashboard.restore', outcome: 'success', resource: 'dashboard:history', distinctId: 'fiona', details: { version: 4, restoredFrom: 1 } },
    ]);
    const definition = (await call(perch, t, 'GET', '/v1/dashboards/history/definition')).json();
    expect(definition.definition).toMatchObject(board('history', 'First'));
    expect(definition.definition.charts).toHaveLength(2);
    expect(definition.version).toBe(4);
    expect((await versionsOf('history')).map((v) => [v.version, v.title, v.current])).toEqual([
      [4, 'First', true],
      [3, 'Third', false],
      [2, 'Second', false],
      [1, 'First', false],
    ]);

    const stale = await call(perch, t, 'POST', '/v1/dashboards/history/restore', { version: 2 }, ifMatch(3));
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.code).toBe('edit_conflict');
    const unknown = await call(perch, t, 'POST', '/v1/dashboards/history/restore', { version: 99 }, ifMatch(4));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'not_found', path: 'version' });
    for (const [body, path] of [
      [{ version: 1, title: 'x' }, 'title'],
      [{ version: 0 }, 'version'],
      [{ version: '1' }, 'version'],
      [{}, 'version'],
    ] as const) {
      const refused = await call(perch, t, 'POST', '/v1/dashboards/history/restore', body, ifMatch(4));
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
      expect(refused.json().error.path, JSON.stringify(body)).toBe(path);
    }
    expect((await versionsOf('history')).length).toBe(4);
  });

  it('revalidates a restore under the maker’s own token: a version with a member hidden from them is refused and nothing changes', async () => {
    await call(perch, await finance(), 'POST', '/v1/dashboards', financeBoard('rewind'));
    await call(perch, await finance(), 'PUT', '/v1/dashboards/rewind', board('rewind', 'Without cost'), ifMatch(1));
    const refused = await call(perch, await sales(), 'POST', '/v1/dashboards/rewind/restore', { version: 1 }, ifMatch(2));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error).toMatchObject({ code: 'member_forbidden', path: 'charts[1].query.measures[0]' });
    expect(refused.body).not.toContain('cost');
    expect((await versionsOf('rewind')).map((v) => [v.version, v.current])).toEqual([
      [2, true],
      [1, false],
    ]);
    // The finance maker, who may run every chart of version 1, can restore it.
    expect((await call(perch, await finance(), 'POST', '/v1/dashboards/rewind/restore', { version: 1 }, ifMatch(2))).json()).toEqual({ id: 'rewind', version: 3 });
  });

  it('compiles a save under the maker’s own token: a member hidden by a member rule is 403 member_forbidden, a missing RLS attribute 403 rls_attribute_missing', async () => {
    const hidden = await call(perch, await sales(), 'POST', '/v1/dashboards', board('with_cost', 'Costs', [chart('cost_kpi', 'cost')]));
    expect(hidden.statusCode).toBe(403);
    expect(hidden.json().error).toMatchObject({ code: 'member_forbidden', path: 'charts[0].query.measures[0]' });
    const noDepartment = await call(perch, await token({ distinctId: 'nd', role: 'maker', attributes: { customerId: 'acme' } }), 'POST', '/v1/dashboards', board('no_department'));
    expect(noDepartment.statusCode).toBe(403);
    expect(noDepartment.json().error).toMatchObject({ code: 'rls_attribute_missing', path: 'charts[0].query' });
    // The same hidden member in an update is refused too, and the stored version stays.
    await call(perch, await finance(), 'POST', '/v1/dashboards', board('kept'));
    const update = await call(perch, await sales(), 'PUT', '/v1/dashboards/kept', board('kept', 'Costs', [chart('cost_kpi', 'cost')]), ifMatch(1));
    expect(update.json().error).toMatchObject({ code: 'member_forbidden', path: 'charts[0].query.measures[0]' });
    expect(await storedVersions('with_cost')).toBe(0);
    expect((await versionsOf('kept')).map((v) => v.version)).toEqual([1]);
  });

  it('refuses unknown keys with their path, in the dashboard and in its charts', async () => {
    const t = await finance();
    for (const [body, path] of [
      [{ ...board('odd1'), colour: 'red' }, 'colour'],
      [{ ...board('odd2'), charts: [{ ...chart('c', 'revenue'), width: 3 }] }, 'charts[0].width'],
      [{ ...board('odd3'), layout: [{ chart: 'revenue_kpi', x: 0, y: 0, w: 6, h: 2, z: 1 }] }, 'layout[0].z'],
    ] as const) {
      const response = await call(perch, t, 'POST', '/v1/dashboards', body);
      expect(response.statusCode, path).toBe(400);
      expect(response.json().error.path).toBe(path);
    }
  });

  it('deletes a dashboard with its versions; a new one with the same id starts a new history', async () => {
    const t = await finance();
    await call(perch, t, 'POST', '/v1/dashboards', board('gone', 'Old life'));
    await call(perch, t, 'PUT', '/v1/dashboards/gone', board('gone', 'Old life 2'), ifMatch(1));
    expect(await storedVersions('gone')).toBe(2);
    const deleted = await call(perch, t, 'DELETE', '/v1/dashboards/gone', undefined, ifMatch(2));
    expect(deleted.statusCode).toBe(204);
    expect(perch.audit.byRequest(String(deleted.headers['x-request-id']))).toMatchObject([{ action: 'dashboard.delete', outcome: 'success', distinctId: 'fiona' }]);
    expect(await storedVersions('gone')).toBe(0);
    expect((await call(perch, t, 'GET', '/v1/dashboards/gone/versions')).statusCode).toBe(403);
    await call(perch, t, 'POST', '/v1/dashboards', board('gone', 'New life'));
    expect((await versionsOf('gone')).map((v) => [v.version, v.title])).toEqual([[1, 'New life']]);
  });

  it('changes nothing stored when the audit trail cannot record an update, restore or delete', async () => {
    const t = await finance();
    await call(perch, t, 'POST', '/v1/dashboards', board('fragile', 'One'));
    await call(perch, t, 'PUT', '/v1/dashboards/fragile', board('fragile', 'Two'), ifMatch(1));
    const snapshot = async () => ({
      versions: await versionsOf('fragile'),
      definition: (await call(perch, t, 'GET', '/v1/dashboards/fragile/definition')).json(),
      rows: await storedVersions('fragile'),
    });
    const before = await snapshot();
    const audit = perch.audit as MemoryAuditSink;
    audit.failing = true;
    let answers;
    try {
      answers = [
        await call(perch, t, 'PUT', '/v1/dashboards/fragile', board('fragile', 'Three'), ifMatch(2)),
        await call(perch, t, 'POST', '/v1/dashboards/fragile/restore', { version: 1 }, ifMatch(2)),
        await call(perch, t, 'DELETE', '/v1/dashboards/fragile', undefined, ifMatch(2)),
        await call(perch, t, 'POST', '/v1/dashboards', board('never_saved')),
      ];
    } finally {
      audit.failing = false;
    }
    for (const answer of answers) {
      expect(answer.statusCode).toBe(503);
      expect(answer.json().error.code).toBe('audit_unavailable');
    }
    expect(await snapshot()).toEqual(before);
    expect(await storedVersions('never_saved')).toBe(0);
    // The version a client holds still works after the undone writes.
    expect((await call(perch, t, 'PUT', '/v1/dashboards/fragile', board('fragile', 'Three'), ifMatch(2))).json()).toEqual({ id: 'fragile', version: 3 });
    expect((await versionsOf('fragile')).map((v) => v.title)).toEqual(['Three', 'Two', 'One']);
  });

  it('keeps another tenant out of every route of a saved dashboard and lets a viewer of the tenant only open and run it', async () => {
    const acme = await finance();
    const secret = { ...board('shared_id', CANARY_TITLE, [chart(CANARY_CHART, 'revenue'), chart('orders_kpi', 'orders')]), description: CANARY_DESCRIPTION };
    expect((await call(perch, acme, 'POST', '/v1/dashboards', secret)).statusCode).toBe(201);
    const routes = (id: string) =>
      [
        ['GET', `/v1/dashboards/${id}`, undefined, {}],
        ['GET', `/v1/dashboards/${id}/definition`, undefined, {}],
        ['GET', `/v1/dashboards/${id}/versions`, undefined, {}],
        ['GET', `/v1/dashboards/${id}/filter-values?member=channel`, undefined, {}],
        ['POST', `/v1/dashboards/${id}/tiles`, {}, {}],
        ['POST', `/v1/dashboards/${id}/restore`, { version: 1 }, ifMatch(1)],
        ['PUT', `/v1/dashboards/${id}`, board(id, 'Taken over'), ifMatch(1)],
        ['DELETE', `/v1/dashboards/${id}`, undefined, ifMatch(1)],
        ['DELETE', `/v1/dashboards/${id}`, undefined, {}],
      ] as const;
    const bodies: string[] = [];
    for (const user of [
      { distinctId: 'gus', role: 'maker', attributes: GLOBEX },
      { distinctId: 'gwen', role: 'viewer', attributes: GLOBEX },
      { distinctId: 'ada', role: 'admin', attributes: GLOBEX },
    ] as const) {
      const other = await token(user);
      for (const [method, url, body, headers] of routes('shared_id')) {
        const response = await call(perch, other, method, url, body, headers);
        expect([403, 404], `${user.role} ${method} ${url}`).toContain(response.statusCode);
        bodies.push(response.body);
      }
      const list = await call(perch, other, 'GET', '/v1/dashboards');
      expect(list.json().dashboards.map((d: { id: string }) => d.id)).not.toContain('shared_id');
      bodies.push(list.body);
    }
    for (const body of bodies) for (const canary of [CANARY_TITLE, CANARY_CHART, CANARY_DESCRIPTION]) expect(body).not.toContain(canary);
    // Nothing the other tenant tried changed acme's dashboard.
    expect((await call(perch, acme, 'GET', '/v1/dashboards/shared_id/definition')).json()).toMatchObject({ version: 1, definition: { title: CANARY_TITLE } });

    // A viewer of acme opens and runs it, but may not read it for editing nor change it.
    const acmeViewer = await viewer();
    const opened = await call(perch, acmeViewer, 'GET', '/v1/dashboards/shared_id');
    expect(opened.statusCode).toBe(200);
    expect(opened.json().title).toBe(CANARY_TITLE);
    const tiles = await call(perch, acmeViewer, 'POST', '/v1/dashboards/shared_id/tiles', {});
    expect(tiles.statusCode).toBe(200);
    const lines = tiles.body.trim().split('\n').map((line) => JSON.parse(line) as { chart?: string; result?: unknown });
    expect(lines.filter((l) => l.result !== undefined).map((l) => l.chart).sort()).toEqual([CANARY_CHART, 'orders_kpi'].sort());
    for (const canary of ALL_CANARIES) expect(tiles.body).not.toContain(canary);
    for (const [method, url, body, headers] of routes('shared_id').filter(([m, u]) => !(m === 'GET' && (u.endsWith('shared_id') || u.includes('filter-values'))) && !u.endsWith('/tiles'))) {
      const response = await call(perch, acmeViewer, method, url, body, headers);
      expect(response.statusCode, `viewer ${method} ${url}`).toBe(403);
      expect(response.json().error.code, `viewer ${method} ${url}`).toBe('role_forbidden');
    }
    expect((await versionsOf('shared_id')).map((v) => v.version)).toEqual([1]);
  });
});

describe.each(STORE_KINDS)('saved-dashboard limits on the %s store', (kind) => {
  let perch: TestPerch;
  beforeAll(async () => {
    // bodyBytes below maxDefinitionBytes: the routes must still take definitions up to that size.
    perch = await startDashboardPerch(kind, warehouse, { limits: { bodyBytes: 2_048, dashboards: { maxTiles: 3, maxSavedPerTenant: 2, maxDefinitionBytes: 4_096 } } });
  });
  afterAll(async () => {
    await perch?.close();
  });
  const maker = (attributes: Record<string, unknown>) => mintFor(perch, { distinctId: 'lim', role: 'maker', attributes, dashboards: '*' });
  const described = (id: string, descriptionChars: number) => ({ ...board(id, 'Sized'), description: 'd'.repeat(descriptionChars) });

  it('refuses more charts than maxTiles with 400 too_many_tiles on charts', async () => {
    const t = await maker(FINANCE);
    const four = [chart('a', 'revenue'), chart('b', 'orders'), chart('c', 'revenue'), chart('d', 'orders')];
    const response = await call(perch, t, 'POST', '/v1/dashboards', board('many', 'Many', four));
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'too_many_tiles', path: 'charts' });
    expect((await call(perch, t, 'POST', '/v1/dashboards', board('three', 'Three', four.slice(0, 3)))).statusCode).toBe(201);
    const update = await call(perch, t, 'PUT', '/v1/dashboards/three', board('three', 'Many', four), { 'if-match': '"1"' });
    expect(update.json().error).toMatchObject({ code: 'too_many_tiles', path: 'charts' });
    await call(perch, t, 'DELETE', '/v1/dashboards/three');
  });

  it('answers a definition over maxDefinitionBytes with Perch’s 413 on body, and takes one under it above the general body limit', async () => {
    const t = await maker(FINANCE);
    const big = await call(perch, t, 'POST', '/v1/dashboards', described('big', 1_900));
    expect(JSON.stringify(described('big', 1_900)).length).toBeGreaterThan(2_048);
    expect(big.statusCode, big.body).toBe(201);
    const tooBig = { ...described('too_big', 1_900), charts: board('x').charts.map((c) => ({ ...c, description: 'e'.repeat(1_500) })) };
    expect(JSON.stringify(tooBig).length).toBeGreaterThan(4_096);
    const refused = await call(perch, t, 'POST', '/v1/dashboards', tooBig);
    expect(refused.statusCode).toBe(413);
    expect(refused.json().error).toMatchObject({ code: 'body_too_large', path: 'body' });
    await call(perch, t, 'DELETE', '/v1/dashboards/big');
  });

  it('refuses a tenant’s dashboard beyond maxSavedPerTenant with 409 too_many_dashboards; other tenants are counted apart', async () => {
    const acme = await maker(FINANCE);
    expect((await call(perch, acme, 'POST', '/v1/dashboards', board('one'))).statusCode).toBe(201);
    expect((await call(perch, acme, 'POST', '/v1/dashboards', board('two'))).statusCode).toBe(201);
    const third = await call(perch, acme, 'POST', '/v1/dashboards', board('three_of_two'));
    expect(third.statusCode).toBe(409);
    expect(third.json().error.code).toBe('too_many_dashboards');
    expect((await call(perch, acme, 'GET', '/v1/dashboards')).json().dashboards.map((d: { id: string }) => d.id)).not.toContain('three_of_two');
    expect((await call(perch, await maker(GLOBEX), 'POST', '/v1/dashboards', board('one'))).statusCode).toBe(201);
    // Updating within the limit is not creating.
    expect((await call(perch, acme, 'PUT', '/v1/dashboards/one', board('one', 'Renamed'), { 'if-match': '"1"' })).statusCode).toBe(200);
  });
});
