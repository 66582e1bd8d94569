/**
 * End to end: real Perch, real demo host on another origin, real web components in Chromium.
 * Every response body a page receives is collected, and other tenants' canaries must appear in
 * none of them nor in the rendered DOM (shadow roots included).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepHtml } from './deep-html.js';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { DEMO_USERS } from '@perch/demo-host';
import { resolveDateRange } from '@perch/engine';
import { CANARIES, XSS_VALUE, mintToken, startEmbedStack, type EmbedStack } from './embed-stack.js';
import { recordResponses } from '../helpers/page-responses.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/screenshots');
const ALL_CANARIES = Object.values(CANARIES);

let stack: EmbedStack;
let browser: LaunchedBrowser;

beforeAll(async () => {
  stack = await startEmbedStack({ orders: 20_000 });
  browser = await launchBrowser();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

interface PerchEvent {
  type: string;
  code?: string;
}

interface TrackedPage {
  page: Page;
  /** Every response the page received (URL, status, body), once `settled()` resolves. */
  responses: Array<{ url: string; status: number; method: string; body: string }>;
  dialogs: string[];
  settled(): Promise<void>;
  events(): Promise<PerchEvent[]>;
  close(): Promise<void>;
}

/** A page that records Perch's events from the first script on, every response body and every dialog. */
async function trackedPage(): Promise<TrackedPage> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __perchEvents: Array<{ type: string; code?: string }> };
    w.__perchEvents = [];
    for (const type of ['tc-ready', 'tc-error', 'tc-token-expired']) {
      document.addEventListener(
        type,
        (event) => {
          const detail = (event as CustomEvent<{ code?: string; component?: string }>).detail;
          // The dashboard's events: the sidebar's list sends its own tc-ready.
          if (detail?.component !== 'dashboard-list') w.__perchEvents.push({ type, code: detail?.code });
        },
        true,
      );
    }
  });
  const recorder = await recordResponses(page);
  const responses = recorder.responses;
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return {
    page,
    responses,
    dialogs,
    async settled() {
      await recorder.settled();
    },
    events: () => page.evaluate(() => (window as unknown as { __perchEvents: PerchEvent[] }).__perchEvents),
    close: () => page.close(),
  };
}

async function readyCount(tracked: TrackedPage): Promise<number> {
  return (await tracked.events()).filter((e) => e.type === 'tc-ready').length;
}

async function waitForReady(tracked: TrackedPage, count = 1): Promise<void> {
  await tracked.page.waitForFunction(
    (n) => (window as unknown as { __perchEvents: PerchEvent[] }).__perchEvents.filter((e) => e.type === 'tc-ready').length >= n,
    count,
    { timeout: 45_000 },
  );
}

async function login(userId: string): Promise<TrackedPage> {
  // One browser profile for all users: drop the previous user's host session first.
  await browser.context.clearCookies();
  const tracked = await trackedPage();
  await tracked.page.goto(stack.host.url);
  await tracked.page.click(`button[value="${userId}"]`);
  await tracked.page.waitForURL('**/dashboard');
  await waitForReady(tracked);
  return tracked;
}


const SALES_CHARTS = ['revenue_kpi', 'orders_kpi', 'revenue_by_month', 'revenue_by_region', 'orders_by_channel', 'top_products'];

/** The lines of a `POST /v1/dashboards/{id}/tiles` body. */
type StreamLine = { chart?: string; result?: unknown; error?: { code: string }; session?: unknown; definition?: unknown };

function tileLines(body: string): StreamLine[] {
  return body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as StreamLine);
}

/** A KPI's previous-period answer: tile lines for KPI charts only, no session or definition. */
function isComparison(body: string): boolean {
  const lines = tileLines(body);
  return lines.length > 0 && lines.every((l) => l.chart === 'revenue_kpi' || l.chart === 'orders_kpi');
}

async function kpiNumber(page: Page, chart: string): Promise<number> {
  const text = await page.locator(`tc-dashboard [data-chart="${chart}"] .kpi`).innerText();
  return Number(text.replace(/[^0-9.-]/g, ''));
}

/** The sales dashboard's KPIs for one tenant, by direct SQL over the default date range. */
async function expectedKpis(customerId: string, department: string | undefined): Promise<{ revenue: number; orders: number }> {
  const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
  const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  const departmentClause = department ? ` AND department = '${department}'` : '';
  const [row] = await stack.sql<{ revenue: string | number; orders: string | number }>(
    `SELECT coalesce(sum(amount), 0) AS revenue, count(*) AS orders FROM orders
     WHERE customer_id = '${customerId}'${departmentClause} AND ordered_at >= TIMESTAMP '${iso(start)}' AND ordered_at < TIMESTAMP '${iso(end)}'`,
  );
  return { revenue: Number(row!.revenue), orders: Number(row!.orders) };
}

describe('embedded dashboards end to end', () => {
  it('shows two users of different tenants their own totals and nothing of any other tenant', async () => {
    // alice: acme, sales department (sees her department); bob: globex, finance (sees every department of globex).
    for (const [userId, customerId, department, ownCanary] of [
      ['alice', 'acme', 'sales', undefined],
      ['bob', 'globex', undefined, CANARIES.globex],
    ] as const) {
      const tracked = await login(userId);
      try {
        const expected = await expectedKpis(customerId, department);
        expect(expected.orders).toBeGreaterThan(0);
        expect(Math.abs((await kpiNumber(tracked.page, 'revenue_kpi')) - expected.revenue)).toBeLessThanOrEqual(0.5);
        expect(await kpiNumber(tracked.page, 'orders_kpi')).toBe(expected.orders);

        await tracked.settled();
        const network = tracked.responses.map((r) => r.body).join('\n');
        const dom = await deepHtml(tracked.page);
        // The first load is one NDJSON response: the session and the definition, then one line
        // per tile, every tile answered.
        // (A KPI's previous-period request follows it, for the KPI charts only.)
        const batches = tracked.responses.filter((r) => r.url.endsWith('/v1/dashboards/sales/tiles') && r.method === 'POST' && !isComparison(r.body));
        expect(batches.map((r) => r.status)).toEqual([200]);
        const [sessionLine, definitionLine, ...lines] = tileLines(batches[0]!.body);
        expect(sessionLine).toMatchObject({ session: { distinctId: userId } });
        expect(definitionLine).toMatchObject({ definition: { id: 'sales' } });
        expect(lines.map((l) => l.chart).sort()).toEqual([...SALES_CHARTS].sort());
        expect(lines.every((l) => l.result !== undefined && l.error === undefined)).toBe(true);
        for (const canary of ALL_CANARIES.filter((c) => c !== ownCanary)) {
          expect(network, `${userId}: network`).not.toContain(canary);
          expect(dom, `${userId}: DOM`).not.toContain(canary);
        }
        // Positive control: a tenant's own canary rows do reach its own page (here: a region value).
        if (ownCanary) expect(network).toContain(ownCanary);
        expect((await tracked.events()).filter((e) => e.type === 'tc-error')).toEqual([]);
      } finally {
        await tracked.close();
      }
    }
  });

  it('lets an explorer export a tile as CSV from the component, with only their own rows', async () => {
    const tracked = await login('bob');
    try {
      const download = tracked.page.waitForEvent('download', { timeout: 30_000 });
      await tracked.page.locator('tc-dashboard [data-chart="revenue_by_region"] button.export').click();
      const file = await download;
      expect(file.suggestedFilename()).toBe('sales-revenue_by_region.csv');
      const csv = await readFile(await file.path(), 'utf8');
      const lines = csv.trimEnd().split('\r\n');
      expect(lines[0]).toBe('Region,Revenue');
      const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
      const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
      const expected = await stack.sql<{ region: string; revenue: number }>(
        `SELECT region, sum(amount) AS revenue FROM orders WHERE customer_id = 'globex' AND ordered_at >= TIMESTAMP '${iso(start)}' AND ordered_at < TIMESTAMP '${iso(end)}' GROUP BY region`,
      );
      const exported = new Map(lines.slice(1).map((line) => [line.slice(0, line.lastIndexOf(',')), Number(line.slice(line.lastIndexOf(',') + 1))]));
      expect(exported.size).toBe(expected.length);
      for (const row of expected) expect(exported.get(row.region)).toBeCloseTo(Number(row.revenue), 2);
      // globex's own canary region is in its export; initech's never is.
      expect(csv).toContain(CANARIES.globex);
      expect(csv).not.toContain(CANARIES.initech);
    } finally {
      await tracked.close();
    }
  });

  it('renders a markup dimension value as text and runs no script', async () => {
    const tracked = await login('alice');
    try {
      const options = tracked.page.locator('tc-dashboard .picker[data-member="region"] li label');
      await expect.poll(async () => (await options.allTextContents()).includes(XSS_VALUE), { timeout: 20_000 }).toBe(true);
      const injected = await tracked.page.evaluate(() => {
        let count = 0;
        const walk = (root: Document | ShadowRoot) => {
          count += root.querySelectorAll('img[src="x"]').length;
          for (const element of Array.from(root.querySelectorAll('*'))) if (element.shadowRoot) walk(element.shadowRoot);
        };
        walk(document);
        return count;
      });
      expect(injected).toBe(0);
      // Pick the markup value: the tiles re-query with it and still render it as text.
      const before = await readyCount(tracked);
      await tracked.page.locator('tc-dashboard .picker[data-member="region"] summary').click();
      await tracked.page.locator('tc-dashboard .picker[data-member="region"] li label', { hasText: XSS_VALUE }).locator('input').check();
      await waitForReady(tracked, before + 1);
      expect(await tracked.page.locator('tc-dashboard [data-chart="orders_kpi"] .kpi').innerText()).toBe('1');
      expect(tracked.dialogs).toEqual([]);
    } finally {
      await tracked.close();
    }
  });

  it('refreshes an expired token through fetchToken and keeps the dashboard working, with no request left failed', async () => {
    const tracked = await login('alice');
    const tokenRequests = () => tracked.responses.filter((r) => r.url.endsWith('/api/perch-token')).length;
    try {
      await tracked.settled();
      const before = tokenRequests();
      const readyBefore = await readyCount(tracked);
      const firstResponse = tracked.responses.length;
      // Eleven minutes pass on Perch's clock: the 600 s token (plus 30 s skew) has expired.
      stack.clock.offsetMs += 11 * 60_000;
      const expiredAt = new Date(stack.clock.now());
      await tracked.page.locator('tc-dashboard .picker[data-member="channel"] summary').click();
      await tracked.page.locator('tc-dashboard .picker[data-member="channel"] input[type="checkbox"][value="web"]').check();
      await waitForReady(tracked, readyBefore + 1);
      await tracked.settled();
      expect(tokenRequests()).toBeGreaterThan(before);
      const after = tracked.responses.slice(firstResponse).filter((r) => r.url.includes('/v1/'));
      const refused = after.filter((r) => r.status !== 200);
      expect(refused.length).toBeGreaterThan(0);
      for (const response of refused) expect(JSON.parse(response.body).error.code).toBe('token_expired');
      // The refused tile request was retried and every tile answered.
      const answered = after.filter((r) => r.url.endsWith('/v1/dashboards/sales/tiles') && r.method === 'POST' && r.status === 200 && !isComparison(r.body));
      expect(answered).toHaveLength(1);
      // Every tile of the retried request ran: the audit trail (not the browser's copy of a
      // streamed body, which the browser may no longer hold) is the witness.
      const audit = await fetch(`${stack.perch.url}/v1/audit?distinctId=alice&action=query.run&outcome=success&from=${encodeURIComponent(expiredAt.toISOString())}&limit=100`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
      expect(audit.status).toBe(200);
      const { events } = (await audit.json()) as { events: Array<{ resource: string }> };
      expect([...new Set(events.map((e) => e.resource))].sort()).toEqual(SALES_CHARTS.map((chart) => `dashboard:sales/${chart}`).sort());
      expect(await tracked.page.locator('tc-dashboard .tile-body .error').count()).toBe(0);
      expect((await tracked.events()).filter((e) => e.type === 'tc-error')).toEqual([]);
    } finally {
      stack.clock.offsetMs = 0;
      await tracked.close();
    }
  });

  it('refuses a viewer’s hand-made query outside the dashboard with 403, and a client-sent chart query', async () => {
    const tracked = await login('alice');
    try {
      const outcome = await tracked.page.evaluate(async (perchUrl) => {
        const { token } = (await (await fetch('/api/perch-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { token: string };
        const post = async (path: string, body: unknown) => {
          const response = await fetch(perchUrl + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
          return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
        };
        return {
          adHoc: await post('/v1/query', { dataset: 'orders', measures: ['revenue'], dimensions: ['customer_id'] }),
          otherDashboard: await post('/v1/query', { dashboard: 'finance', chart: 'revenue_kpi' }),
          smuggled: await post('/v1/query', { dashboard: 'sales', chart: 'revenue_kpi', query: { dataset: 'customers', dimensions: ['name'] } }),
          exported: await post('/v1/export', { dashboard: 'sales', chart: 'revenue_kpi' }),
          otherBoardTiles: await post('/v1/dashboards/finance/tiles', {}),
          smuggledTiles: await post('/v1/dashboards/sales/tiles', { charts: ['revenue_kpi'], query: { dataset: 'customers', dimensions: ['name'] } }),
        };
      }, stack.perch.url);
      expect(outcome.adHoc).toMatchObject({ status: 403, body: { error: { code: 'resource_forbidden' } } });
      expect(outcome.otherDashboard).toMatchObject({ status: 403, body: { error: { code: 'resource_forbidden' } } });
      expect(outcome.smuggled).toMatchObject({ status: 400, body: { error: { code: 'unknown_field' } } });
      expect(outcome.exported).toMatchObject({ status: 403, body: { error: { code: 'role_forbidden' } } });
      expect(outcome.otherBoardTiles).toMatchObject({ status: 403, body: { error: { code: 'resource_forbidden' } } });
      expect(outcome.smuggledTiles).toMatchObject({ status: 400, body: { error: { code: 'unknown_field' } } });
    } finally {
      await tracked.close();
    }
  });

  it('gives a page on an unauthorized origin no data, and the component reports origin_forbidden', async () => {
    const token = await mintToken(stack, { distinctId: 'mallory', role: 'viewer', attributes: { customerId: 'acme', department: 'sales' } });
    // Closing must not wait for the browser's keep-alive connections.
    const rogue: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
    rogue.get('/', (_request, reply) =>
      reply.type('text/html; charset=utf-8').send(`<!doctype html><html><body>
<tc-dashboard dashboard="sales" api-base="${stack.perch.url}" token="${token}"></tc-dashboard>
<script type="module" src="${stack.perch.url}/embed/perch.js"></script></body></html>`),
    );
    const rogueUrl = await rogue.listen({ port: 0, host: '127.0.0.1' });
    const tracked = await trackedPage();
    try {
      await tracked.page.goto(rogueUrl);
      await tracked.page.waitForFunction(() => (window as unknown as { __perchEvents: PerchEvent[] }).__perchEvents.some((e) => e.type === 'tc-error'), null, { timeout: 30_000 });
      expect((await tracked.events()).filter((e) => e.type === 'tc-error').map((e) => e.code)).toContain('origin_forbidden');
      await tracked.settled();
      const apiResponses = tracked.responses.filter((r) => r.url.startsWith(`${stack.perch.url}/v1/`) && r.method !== 'OPTIONS');
      expect(apiResponses.length).toBeGreaterThan(0);
      for (const response of apiResponses) {
        expect(response.status).toBe(403);
        expect(JSON.parse(response.body)).toMatchObject({ error: { code: 'origin_forbidden' } });
      }
      expect((await tracked.events()).some((e) => e.type === 'tc-ready')).toBe(false);
    } finally {
      await tracked.close();
      await rogue.close();
    }
  }, 90_000);

  it('saves a screenshot of the demo dashboard for every demo user', async () => {
    for (const user of DEMO_USERS) {
      const tracked = await login(user.id);
      try {
        await tracked.page.setViewportSize({ width: 1280, height: 1400 });
        const path = join(SCREENSHOTS, `${user.id}.png`);
        const image = await tracked.page.screenshot({ path, fullPage: true });
        expect(image.byteLength).toBeGreaterThan(10_000);
        await tracked.settled();
        const network = tracked.responses.map((r) => r.body).join('\n');
        const own = user.attributes.customerId === 'globex' ? CANARIES.globex : user.attributes.customerId === 'initech' ? CANARIES.initech : undefined;
        for (const canary of ALL_CANARIES.filter((c) => c !== own)) expect(network, user.id).not.toContain(canary);
      } finally {
        await tracked.close();
      }
    }
  });
});
