/**
 * `POST /v1/dashboards/{id}/tiles`: several tiles of one dashboard in one NDJSON response. The
 * batch must answer and audit each tile exactly like `POST /v1/query` in the dashboard form, and
 * must be no wider: scope, hidden charts, RLS and origin checks hold per tile.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import type { GovernedSql } from '@perch/engine';
import type { Connector, ExecuteOptions } from '../../src/connectors/index.js';
import { ALL_CANARIES, CANARIES, call, mintFor, openDuckWarehouse, startDashboardPerch, type DuckWarehouse } from './fixture.js';
import type { TestPerch } from '../helpers/test-perch.js';

const ACME_SALES = { customerId: 'acme', department: 'sales' };
const GLOBEX_FINANCE = { customerId: 'globex', department: 'finance' };
const SALES_CHARTS = ['revenue_kpi', 'orders_kpi', 'revenue_by_month', 'revenue_by_region', 'orders_by_channel', 'top_products'];

let warehouse: DuckWarehouse;
let perch: TestPerch;

beforeAll(async () => {
  warehouse = await openDuckWarehouse(4_000, 'perch-dash-tiles');
  perch = await startDashboardPerch('postgres', warehouse);
});
afterAll(async () => {
  await perch?.close();
  await warehouse?.close();
});

type Line = { chart: string; result?: { columns: unknown[]; rows: Array<Record<string, unknown>>; meta: Record<string, unknown> }; error?: { code: string; message: string; requestId: string } };

function linesOf(body: string): Line[] {
  expect(body.endsWith('\n')).toBe(true);
  return body.trimEnd().split('\n').map((line) => JSON.parse(line) as Line);
}

function byChart(lines: Line[]): Map<string, Line> {
  return new Map(lines.map((line) => [line.chart, line]));
}

function eventsOf(response: { headers: Record<string, unknown> }) {
  return perch.audit.byRequest(String(response.headers['x-request-id']));
}

describe('POST /v1/dashboards/{id}/tiles', () => {
  it('answers every chart the viewer may see, each with the rows POST /v1/query gives, and one query.run event per tile', async () => {
    const token = await mintFor(perch, { distinctId: 'vera', role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', {});
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(response.headers['cache-control']).toBe('no-store');
    const lines = byChart(linesOf(response.body));
    expect([...lines.keys()].sort()).toEqual([...SALES_CHARTS].sort());

    for (const chart of SALES_CHARTS) {
      const single = await call(perch, token, 'POST', '/v1/query', { dashboard: 'sales', chart });
      expect(single.statusCode).toBe(200);
      const line = lines.get(chart)!;
      expect(line.error).toBeUndefined();
      expect(line.result!.columns).toEqual(single.json().columns);
      expect(line.result!.rows).toEqual(single.json().rows);
    }

    const events = eventsOf(response);
    expect(events).toHaveLength(SALES_CHARTS.length);
    for (const event of events) expect(event).toMatchObject({ action: 'query.run', outcome: 'success', distinctId: 'vera' });
    expect(events.map((e) => e.resource).sort()).toEqual(SALES_CHARTS.map((c) => `dashboard:sales/${c}`).sort());
    // The same details a single chart query records (the applied RLS policy included).
    const single = await call(perch, token, 'POST', '/v1/query', { dashboard: 'sales', chart: 'revenue_kpi' });
    const [singleEvent] = eventsOf(single);
    const batchEvent = events.find((e) => e.resource === 'dashboard:sales/revenue_kpi')!;
    expect(Object.keys(batchEvent.details ?? {}).sort()).toEqual(Object.keys(singleEvent!.details ?? {}).sort());
    expect(batchEvent.details).toMatchObject({ policies: (singleEvent!.details as { policies: unknown }).policies });
    for (const canary of ALL_CANARIES) expect(response.body).not.toContain(canary);
  });

  it('applies the filters it is given, to the charts it names, against the warehouse oracle', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { charts: ['revenue_kpi', 'revenue_kpi'], filters: { dateRange: null, values: { region: ['EMEA'] } } });
    expect(response.statusCode).toBe(200);
    const lines = linesOf(response.body);
    expect(lines.map((l) => l.chart)).toEqual(['revenue_kpi']);
    const [oracle] = await warehouse.sql<{ revenue: number }>(`SELECT sum(amount) AS revenue FROM orders WHERE customer_id = 'acme' AND department = 'sales' AND region = 'EMEA'`);
    expect(Number(lines[0]!.result!.rows[0]!.revenue)).toBeCloseTo(Number(oracle!.revenue), 2);
  });

  it('shows a tenant its own canary rows (positive control) and never another tenant’s', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: GLOBEX_FINANCE });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { filters: { dateRange: null } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(CANARIES.globex);
    for (const canary of ALL_CANARIES) if (canary !== CANARIES.globex) expect(response.body).not.toContain(canary);
  });

  it('answers a failing tile with its code only, audited as refused, while the other tiles run', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { charts: ['no_such_chart', 'orders_kpi'] });
    expect(response.statusCode).toBe(200);
    const lines = byChart(linesOf(response.body));
    expect(lines.get('no_such_chart')!.error).toMatchObject({ code: 'not_found', requestId: response.headers['x-request-id'] });
    expect(lines.get('orders_kpi')!.result!.rows).toHaveLength(1);
    const events = eventsOf(response);
    expect(events).toHaveLength(2);
    expect(events.find((e) => e.resource === 'dashboard:sales/no_such_chart')).toMatchObject({ action: 'query.run', outcome: 'refused', code: 'not_found' });
    expect(events.find((e) => e.resource === 'dashboard:sales/orders_kpi')).toMatchObject({ action: 'query.run', outcome: 'success' });
    expect(response.body).not.toMatch(/select|from orders/i);
  });

  it('runs a tile whose RLS attribute is missing as a refusal, never unfiltered', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: { customerId: 'acme' } });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', {});
    expect(response.statusCode).toBe(200);
    const single = await call(perch, token, 'POST', '/v1/query', { dashboard: 'sales', chart: 'revenue_kpi' });
    const lines = linesOf(response.body);
    expect(lines).toHaveLength(SALES_CHARTS.length);
    // Whatever a single chart query answers for this token, the batch answers the same per tile.
    const line = byChart(lines).get('revenue_kpi')!;
    if (single.statusCode === 200) expect(line.result!.rows).toEqual(single.json().rows);
    else expect(line.error!.code).toBe(single.json().error.code);
    for (const canary of ALL_CANARIES) expect(response.body).not.toContain(canary);
  });

  it('sends the session and the definition first when asked, each audited as its own route would be', async () => {
    const token = await mintFor(perch, { distinctId: 'ines', role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { include: ['session', 'definition'] });
    expect(response.statusCode).toBe(200);
    const lines = response.body.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // The same bodies the session and definition routes answer, ahead of every tile.
    const session = await call(perch, token, 'GET', '/v1/embed/session');
    const definition = await call(perch, token, 'GET', '/v1/dashboards/sales');
    expect(lines[0]).toEqual({ session: session.json() });
    expect(lines[1]).toEqual({ definition: definition.json() });
    expect(lines.slice(2).map((line) => line.chart).sort()).toEqual([...SALES_CHARTS].sort());
    const events = eventsOf(response);
    expect(events.filter((e) => e.action === 'session.read')).toMatchObject([{ outcome: 'success', resource: 'session', distinctId: 'ines' }]);
    expect(events.filter((e) => e.action === 'dashboard.open')).toMatchObject([{ outcome: 'success', resource: 'dashboard:sales', details: eventsOf(definition)[0]!.details }]);
    expect(events.filter((e) => e.action === 'query.run')).toHaveLength(SALES_CHARTS.length);
    for (const canary of ALL_CANARIES) expect(response.body).not.toContain(canary);
  });

  it('sends neither session nor definition (nor any tile) when their audit events cannot be recorded', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    perch.audit.failing = true;
    let response;
    try {
      response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { include: ['definition'] });
    } finally {
      perch.audit.failing = false;
    }
    expect(response.statusCode).toBe(503);
    expect(response.json().error.code).toBe('audit_unavailable');
    expect(response.body).not.toContain('charts');
  });

  it('refuses a dashboard out of scope, or unknown, with 403 before any tile runs, audited', async () => {
    const scoped = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: ['other'] });
    const everything = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: '*' });
    for (const response of [await call(perch, scoped, 'POST', '/v1/dashboards/sales/tiles', {}), await call(perch, everything, 'POST', '/v1/dashboards/nope/tiles', {})]) {
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('resource_forbidden');
      expect(eventsOf(response)).toMatchObject([{ action: 'query.run', outcome: 'refused', code: 'resource_forbidden' }]);
    }
  });

  it('refuses malformed bodies with 400 and no tile', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    for (const body of [{ sql: 'select 1' }, { charts: [] }, { charts: Array.from({ length: 65 }, (_, i) => `c${i}`) }, { filters: { values: { status: ['x'] }, extra: 1 } }, { include: ['rows'] }, { include: [] }, { include: 'session' }]) {
      const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect(eventsOf(response)).toMatchObject([{ action: 'query.run', outcome: 'refused' }]);
    }
  });

  it('refuses a picker that is not a filter of the dashboard, per tile, like POST /v1/query', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { charts: ['revenue_kpi'], filters: { values: { customer_id: ['globex'] } } });
    const single = await call(perch, token, 'POST', '/v1/query', { dashboard: 'sales', chart: 'revenue_kpi', filters: { values: { customer_id: ['globex'] } } });
    expect(single.statusCode).toBe(400);
    expect(linesOf(response.body)[0]!.error!.code).toBe(single.json().error.code);
  });

  it('sends no rows for a tile whose audit event could not be recorded', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    perch.audit.failing = true;
    let response;
    try {
      response = await call(perch, token, 'POST', '/v1/dashboards/sales/tiles', { filters: { dateRange: null } });
    } finally {
      perch.audit.failing = false;
    }
    const lines = linesOf(response.body);
    expect(lines).toHaveLength(SALES_CHARTS.length);
    for (const line of lines) {
      expect(line.result).toBeUndefined();
      expect(line.error!.code).toBe('audit_unavailable');
    }
    expect(response.body).not.toContain('rows');
  });

  it('applies token verification and origin checks before the handler', async () => {
    const token = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES });
    const noToken = await perch.app.inject({ method: 'POST', url: '/v1/dashboards/sales/tiles', headers: { 'content-type': 'application/json' }, payload: '{}' });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().error.code).toBe('token_missing');
    const evil = await perch.app.inject({
      method: 'POST',
      url: '/v1/dashboards/sales/tiles',
      headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: '{}',
    });
    // A test token is refused off development origins; the batch refuses exactly as the session route does.
    const session = await perch.app.inject({ method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(session.statusCode).toBe(403);
    expect(evil.statusCode).toBe(403);
    expect(evil.json().error.code).toBe(session.json().error.code);
    expect(evil.body).not.toContain('rows');
    expect(eventsOf(evil)).toMatchObject([{ action: 'token.reject', outcome: 'refused' }]);
  });
});

describe('POST /v1/dashboards/{id}/tiles on a maker’s saved dashboard', () => {
  it('leaves the hidden chart out for a viewer, refuses it when named, and keeps other tenants out', async () => {
    const maker = await mintFor(perch, { distinctId: 'mia', role: 'maker', attributes: ACME_SALES, dashboards: '*' });
    const board = {
      id: 'tiles_board',
      title: 'Tiles board',
      charts: [
        { id: 'visible', type: 'kpi', title: 'Revenue', query: { dataset: 'orders', measures: ['revenue'] } },
        { id: 'secret', type: 'kpi', title: 'Hidden', query: { dataset: 'orders', measures: ['margin'] } },
      ],
    };
    expect((await call(perch, maker, 'POST', '/v1/dashboards', board)).statusCode).toBe(201);
    const viewer = await mintFor(perch, { role: 'viewer', attributes: ACME_SALES, dashboards: ['tiles_board'] });
    const all = await call(perch, viewer, 'POST', '/v1/dashboards/tiles_board/tiles', {});
    expect(linesOf(all.body).map((l) => l.chart)).toEqual(['visible']);
    expect(all.body).not.toContain('margin');
    const named = await call(perch, viewer, 'POST', '/v1/dashboards/tiles_board/tiles', { charts: ['secret'] });
    expect(linesOf(named.body)).toMatchObject([{ chart: 'secret', error: { code: 'member_forbidden' } }]);
    expect(eventsOf(named)).toMatchObject([{ action: 'query.run', outcome: 'refused', code: 'member_forbidden' }]);

    const otherTenant = await mintFor(perch, { role: 'viewer', attributes: GLOBEX_FINANCE, dashboards: ['tiles_board'] });
    const refused = await call(perch, otherTenant, 'POST', '/v1/dashboards/tiles_board/tiles', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('resource_forbidden');
  });
});

describe('POST /v1/dashboards/{id}/tiles and a client that goes away', () => {
  it('cancels every tile statement still running, and audits each as query_cancelled', async () => {
    const seen: ExecuteOptions[] = [];
    // A connector that holds every statement until it is cancelled.
    const held: Connector = {
      dialect: 'duckdb',
      execute(_query: GovernedSql, options?: ExecuteOptions) {
        if (options) seen.push(options);
        return new Promise((_resolve, reject) => options?.signal?.addEventListener('abort', () => reject(new PerchError('query_cancelled'))));
      },
      ping: () => warehouse.connector.ping(),
      close: async () => undefined,
    };
    const heldPerch = await startDashboardPerch('embedded', { ...warehouse, connector: held });
    try {
      const address = await heldPerch.app.listen({ host: '127.0.0.1', port: 0 });
      const token = await mintFor(heldPerch, { role: 'viewer', attributes: ACME_SALES });
      const request = httpRequest(`${address}/v1/dashboards/sales/tiles`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': 2 } });
      request.on('error', () => undefined);
      request.end('{}');
      await expect.poll(() => seen.length).toBeGreaterThanOrEqual(SALES_CHARTS.length);
      expect(seen.some((o) => o.signal?.aborted)).toBe(false);
      request.destroy();
      await expect.poll(() => seen.every((o) => o.signal?.aborted === true)).toBe(true);
      await expect
        .poll(() => heldPerch.audit.events.filter((e) => e.action === 'query.run' && e.code === 'query_cancelled').length)
        .toBe(SALES_CHARTS.length);
      const cancelled = heldPerch.audit.events.filter((e) => e.action === 'query.run');
      expect(cancelled.every((e) => e.outcome === 'refused')).toBe(true);
      expect(cancelled.map((e) => e.resource).sort()).toEqual(SALES_CHARTS.map((c) => `dashboard:sales/${c}`).sort());
    } finally {
      await heldPerch.close();
    }
  }, 60_000);
});
