/**
 * Every route of the server records the audit events it should, in the durable trail.
 *
 * The test walks the live route table. A route without a case below fails the test, so a new
 * route cannot ship without an audit assertion. Only the operations and static routes in
 * UNAUDITED are exempt: they serve no user data and take no action.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { createPerchContext } from '../../src/context.js';
import { buildApp, type PerchApp } from '../../src/app.js';
import { createAuditTrail, type AuditTrail, type AuditEvent } from '../../src/audit/index.js';
import { createAuditModule } from '../../src/audit-api/audit-routes.js';
import { QueryService } from '../../src/query/index.js';
import { queryRouteModules } from '../../src/query/route-modules.js';
import { createDashboardModule } from '../../src/dashboards/index.js';
import { createAssistantModule } from '../../src/assistant/index.js';
import type { AuditAction } from '../../src/audit/audit-event.js';
import { STORE_KINDS, openTestStore } from '../helpers/stores.js';
import type { StoreDatabase } from '../../src/store/database.js';
import { sql } from 'kysely';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { openDuckWarehouse, type DuckWarehouse } from '../dashboards/fixture.js';
import { QUERY_LIMITS_FOR_TESTS } from '../query/warehouse-fixture.js';

const UNAUDITED = new Set(['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /embed/:file']);

interface Harness {
  app: PerchApp;
  store: StoreDatabase;
  trail: AuditTrail;
  viewer: string;
  explorer: string;
  maker: string;
}

type Expectation = { action: AuditAction; outcome: 'success' | 'refused'; code?: string; resource?: string; distinctId?: string };
type Case = (h: Harness) => Promise<{ response: LightMyRequestResponse; expect: Expectation[] }>;

const admin = { 'x-api-key': TEST_ADMIN_KEY };
const embed = (token: string) => ({ authorization: `Bearer ${token}` });
const ACME = { customerId: 'acme', department: 'sales' };

const CASES: Record<string, Case> = {
  'POST /v1/embed/tokens': async ({ app }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: admin, payload: { user: { distinctId: 'z', role: 'root' } } }),
    expect: [{ action: 'token.mint', outcome: 'refused', code: 'unknown_role' }],
  }),
  'GET /v1/api-keys': async ({ app }) => ({ response: await app.inject({ method: 'GET', url: '/v1/api-keys', headers: admin }), expect: [{ action: 'api_key.list', outcome: 'success' }] }),
  'POST /v1/api-keys': async ({ app }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'audited', env: 'test' } }),
    expect: [{ action: 'api_key.create', outcome: 'success' }],
  }),
  'DELETE /v1/api-keys/:id': async ({ app }) => {
    const created = (await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'to revoke' } })).json() as { apiKey: { id: string } };
    return { response: await app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.apiKey.id}`, headers: admin }), expect: [{ action: 'api_key.revoke', outcome: 'success' }] };
  },
  'POST /v1/api-keys/:id/rotate': async ({ app }) => {
    const created = (await app.inject({ method: 'POST', url: '/v1/api-keys', headers: admin, payload: { name: 'to rotate' } })).json() as { apiKey: { id: string } };
    return { response: await app.inject({ method: 'POST', url: `/v1/api-keys/${created.apiKey.id}/rotate`, headers: admin, payload: {} }), expect: [{ action: 'api_key.rotate', outcome: 'success' }] };
  },
  'GET /v1/workspace/origins': async ({ app }) => ({ response: await app.inject({ method: 'GET', url: '/v1/workspace/origins', headers: admin }), expect: [{ action: 'origins.read', outcome: 'success' }] }),
  'PUT /v1/workspace/origins': async ({ app }) => ({
    response: await app.inject({ method: 'PUT', url: '/v1/workspace/origins', headers: admin, payload: { origins: ['https://app.example.com'] } }),
    expect: [{ action: 'origins.update', outcome: 'success' }],
  }),
  'POST /v1/token-keys/rotate': async ({ app }) => ({ response: await app.inject({ method: 'POST', url: '/v1/token-keys/rotate', headers: admin }), expect: [{ action: 'token_key.rotate', outcome: 'success' }] }),
  'POST /v1/revocations': async ({ app }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/revocations', headers: admin, payload: { distinctId: 'someone' } }),
    expect: [{ action: 'revocation.create', outcome: 'success' }],
  }),
  'GET /v1/embed/session': async ({ app, viewer }) => ({ response: await app.inject({ method: 'GET', url: '/v1/embed/session', headers: embed(viewer) }), expect: [{ action: 'session.read', outcome: 'success' }] }),
  'GET /v1/catalog': async ({ app, explorer }) => ({ response: await app.inject({ method: 'GET', url: '/v1/catalog', headers: embed(explorer) }), expect: [{ action: 'catalog.read', outcome: 'success' }] }),
  'POST /v1/query': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/query', headers: embed(viewer), payload: { dataset: 'orders', measures: ['revenue'] } }),
    expect: [{ action: 'query.run', outcome: 'refused', code: 'resource_forbidden' }],
  }),
  'GET /v1/values': async ({ app, explorer }) => ({
    response: await app.inject({ method: 'GET', url: '/v1/values?dataset=orders&member=region', headers: embed(explorer) }),
    expect: [{ action: 'values.read', outcome: 'success' }],
  }),
  'POST /v1/access/explain': async ({ app }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/access/explain', headers: admin, payload: { user: { distinctId: 'alice', role: 'viewer', attributes: ACME }, dataset: 'orders' } }),
    expect: [{ action: 'access.explain', outcome: 'success' }],
  }),
  'GET /v1/dashboards': async ({ app, maker }) => ({ response: await app.inject({ method: 'GET', url: '/v1/dashboards', headers: embed(maker) }), expect: [{ action: 'dashboard.list', outcome: 'success' }] }),
  'GET /v1/dashboards/:id': async ({ app, viewer }) => ({ response: await app.inject({ method: 'GET', url: '/v1/dashboards/sales', headers: embed(viewer) }), expect: [{ action: 'dashboard.open', outcome: 'success' }] }),
  'GET /v1/dashboards/:id/filter-values': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'GET', url: '/v1/dashboards/sales/filter-values?member=region', headers: embed(viewer) }),
    expect: [{ action: 'values.read', outcome: 'success' }],
  }),
  // One query.run event per tile, as if each tile had been asked for with POST /v1/query.
  'POST /v1/dashboards/:id/tiles': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/dashboards/sales/tiles', headers: embed(viewer), payload: { charts: ['revenue_kpi'] } }),
    expect: [{ action: 'query.run', outcome: 'success', resource: 'dashboard:sales/revenue_kpi' }],
  }),
  'POST /v1/dashboards': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/dashboards', headers: embed(viewer), payload: { id: 'mine', title: 'Mine', charts: [], layout: [] } }),
    expect: [{ action: 'dashboard.create', outcome: 'refused' }],
  }),
  'PUT /v1/dashboards/:id': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'PUT', url: '/v1/dashboards/mine', headers: { ...embed(viewer), 'if-match': '"1"' }, payload: { id: 'mine', title: 'Mine', charts: [], layout: [] } }),
    expect: [{ action: 'dashboard.update', outcome: 'refused', code: 'role_forbidden' }],
  }),
  'GET /v1/dashboards/:id/definition': async ({ app, maker }) => ({
    response: await app.inject({ method: 'GET', url: '/v1/dashboards/sales/definition', headers: embed(maker) }),
    expect: [{ action: 'dashboard.read_definition', outcome: 'success', resource: 'dashboard:sales' }],
  }),
  'GET /v1/dashboards/:id/versions': async ({ app, viewer }) => ({
    response: await app.inject({ method: 'GET', url: '/v1/dashboards/sales/versions', headers: embed(viewer) }),
    expect: [{ action: 'dashboard.versions', outcome: 'refused', code: 'role_forbidden' }],
  }),
  // A restore by the maker who saved the dashboard: one create, one update, then the restore.
  'POST /v1/dashboards/:id/restore': async ({ app, maker }) => {
    const board = (title: string) => ({ id: 'restorable', title, charts: [{ id: 'k', type: 'kpi', query: { dataset: 'orders', measures: ['revenue'] } }] });
    expect((await app.inject({ method: 'POST', url: '/v1/dashboards', headers: embed(maker), payload: board('First') })).statusCode).toBe(201);
    expect((await app.inject({ method: 'PUT', url: '/v1/dashboards/restorable', headers: { ...embed(maker), 'if-match': '"1"' }, payload: board('Second') })).statusCode).toBe(200);
    return {
      response: await app.inject({ method: 'POST', url: '/v1/dashboards/restorable/restore', headers: { ...embed(maker), 'if-match': '"2"' }, payload: { version: 1 } }),
      expect: [{ action: 'dashboard.restore', outcome: 'success', resource: 'dashboard:restorable', distinctId: 'maker-1' }],
    };
  },
  'DELETE /v1/dashboards/:id': async ({ app, viewer }) => ({ response: await app.inject({ method: 'DELETE', url: '/v1/dashboards/mine', headers: embed(viewer) }), expect: [{ action: 'dashboard.delete', outcome: 'refused' }] }),
  'POST /v1/export': async ({ app, explorer }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/export', headers: embed(explorer), payload: { dashboard: 'sales', chart: 'revenue_by_region' } }),
    expect: [{ action: 'export.run', outcome: 'success' }],
  }),
  'POST /v1/rows': async ({ app, explorer, viewer, trail }) => {
    const payload = { dashboard: 'sales', chart: 'revenue_by_region', value: { member: 'region', value: 'EMEA' }, limit: 5 };
    // Viewers never get the rows behind a chart: refused, and the refusal is in the trail too.
    const refused = await app.inject({ method: 'POST', url: '/v1/rows', headers: embed(viewer), payload });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ error: { code: 'resource_forbidden' } });
    const refusal = (await trail.query({ workspace: 'default', limit: 1000 })).events.filter((e) => (e as unknown as { requestId: string }).requestId === String(refused.headers['x-request-id']));
    expect(refusal).toEqual([expect.objectContaining({ action: 'rows.read', outcome: 'refused', code: 'resource_forbidden' })]);
    return { response: await app.inject({ method: 'POST', url: '/v1/rows', headers: embed(explorer), payload }), expect: [{ action: 'rows.read', outcome: 'success' }] };
  },
  'POST /v1/assistant/messages': async ({ app, explorer }) => ({
    response: await app.inject({ method: 'POST', url: '/v1/assistant/messages', headers: embed(explorer), payload: { question: 'revenue by region' } }),
    expect: [{ action: 'assistant.question', outcome: 'success' }],
  }),
  'GET /v1/assistant/conversations/:id': async ({ app, explorer }) => ({
    response: await app.inject({ method: 'GET', url: '/v1/assistant/conversations/conv_doesnotexist', headers: embed(explorer) }),
    expect: [{ action: 'assistant.conversation', outcome: 'refused', code: 'not_found' }],
  }),
  'GET /v1/audit': async ({ app }) => ({ response: await app.inject({ method: 'GET', url: '/v1/audit?limit=5', headers: admin }), expect: [{ action: 'audit.read', outcome: 'success' }] }),
  'GET /v1/audit/export': async ({ app }) => ({ response: await app.inject({ method: 'GET', url: '/v1/audit/export?format=csv&action=token.mint', headers: admin }), expect: [{ action: 'audit.export', outcome: 'success' }] }),
  'GET /v1/audit/verify': async ({ app }) => ({ response: await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: admin }), expect: [{ action: 'audit.verify', outcome: 'success' }] }),
};

/** Routes that verify an embed token also audit a token rejection; one check covers them all. */
const TOKEN_REJECTION: Case = async ({ app }) => ({
  response: await app.inject({ method: 'GET', url: '/v1/catalog', headers: embed('not.a.token.at.all') }),
  expect: [{ action: 'token.reject', outcome: 'refused', code: 'token_malformed' }],
});

describe.each(STORE_KINDS)('audit coverage of the route table (%s store)', (kind) => {
  let warehouse: DuckWarehouse;
  let harness: Harness;
  let dispose: () => Promise<void>;

  beforeAll(async () => {
    warehouse = await openDuckWarehouse(2_000, 'perch-audit-routes');
    const opened = await openTestStore(kind);
    dispose = opened.dispose;
    const config = loadConfig({ env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY }, cwd: process.cwd(), overrides: { logLevel: 'silent' } });
    let trail: AuditTrail | undefined;
    const ctx = await createPerchContext(config, { store: opened.store, logger: pino({ level: 'silent' }), createAudit: async (store) => (trail = await createAuditTrail({ store })) });
    const service = new QueryService({ model: warehouse.model, connector: warehouse.connector, limits: QUERY_LIMITS_FOR_TESTS });
    const app = await buildApp(ctx, { modules: [createAuditModule(trail!), ...queryRouteModules(service), ...createDashboardModule(ctx, service, warehouse.model), createAssistantModule(ctx, service)] });
    await app.ready();
    const mint = async (role: string) => {
      const response = await app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: admin, payload: { user: { distinctId: `${role}-1`, role, attributes: ACME }, scope: { dashboards: '*', assistant: true } } });
      return (response.json() as { token: string }).token;
    };
    harness = { app, store: opened.store, trail: trail!, viewer: await mint('viewer'), explorer: await mint('explorer'), maker: await mint('maker') };
  });
  afterAll(async () => {
    await harness?.app.close();
    await harness?.trail.close();
    await dispose?.();
    await warehouse?.close();
  });

  async function durableEvents(requestId: string): Promise<AuditEvent[]> {
    const page = await harness.trail.query({ workspace: 'default', limit: 1000 });
    return page.events.filter((e) => (e as unknown as { requestId: string }).requestId === requestId);
  }

  it('has an audit case for every route, and every route declares an audit action', () => {
    const routes = harness.app.perchRoutes.filter((r) => !String(r.url).startsWith('/docs') && r.url !== '*');
    const missing: string[] = [];
    for (const route of routes) {
      for (const method of [route.method].flat()) {
        if (method === 'HEAD' || method === 'OPTIONS') continue;
        const key = `${method} ${route.url}`;
        if (UNAUDITED.has(key)) continue;
        if (!CASES[key]) missing.push(key);
        if (!route.config?.audit) missing.push(`${key} (no audit action declared)`);
      }
    }
    expect(missing).toEqual([]);
  });

  it.each([...Object.entries(CASES), ['token rejection on any embed route', TOKEN_REJECTION] as const])('%s records its event durably before responding', async (_name, run) => {
    const { response, expect: expected } = await run(harness);
    expect(response.statusCode).toBeLessThan(500);
    // The event is already committed when the response arrives: no drain before reading.
    const events = await durableEvents(String(response.headers['x-request-id']));
    expect(events).toEqual(expected.map((e) => expect.objectContaining(e)));
  });

  it('with the audit store failing, queries get 503 audit_unavailable and no rows; every query answered stays audited', async () => {
    const query = () =>
      harness.app.inject({ method: 'POST', url: '/v1/query', headers: embed(harness.explorer), payload: { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] } });
    expect((await query()).statusCode).toBe(200);
    await sql`alter table audit_events rename to audit_events_offline`.execute(harness.store.db);
    const answered: string[] = [];
    try {
      // The very next query is refused: its event's commit fails in the store.
      let refused: Awaited<ReturnType<typeof query>> | undefined;
      for (const deadline = Date.now() + 5_000; refused === undefined && Date.now() < deadline; ) {
        const response = await query();
        if (response.statusCode === 200) answered.push(String(response.headers['x-request-id']));
        else refused = response;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (kind === 'postgres') expect(answered).toEqual([]);
      expect(refused?.statusCode).toBe(503);
      expect(refused!.json()).toEqual({ error: expect.objectContaining({ code: 'audit_unavailable' }) });
      expect(refused!.body).not.toContain('rows');
      expect(refused!.body).not.toMatch(/EMEA|AMER|APAC/);
      // Refused means refused: the next one too, while the store is still down.
      expect((await query()).statusCode).toBe(503);
    } finally {
      await sql`alter table audit_events_offline rename to audit_events`.execute(harness.store.db);
    }
    await expect.poll(async () => (await query()).statusCode, { timeout: 5_000, interval: 100 }).toBe(200);
    // Nothing answered during the outage went unaudited.
    for (const requestId of answered) expect(await durableEvents(requestId)).toEqual([expect.objectContaining({ action: 'query.run', outcome: 'success' })]);
  });

  it('the chain of everything recorded above verifies', async () => {
    const result = await harness.trail.verify('default');
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThan(Object.keys(CASES).length);
  });
});
