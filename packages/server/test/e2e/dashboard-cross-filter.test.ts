/**
 * Cross-filtering and drill-down on the real stack (real Perch, the demo warehouse with other tenants' canary
 * rows, the demo host on another origin, Chromium): a click on a value in one tile filters the
 * other tiles, a chip shows it, and the numbers the other tiles show equal direct SQL with that
 * filter and the tenant predicate.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepHtml } from './deep-html.js';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { resolveDateRange } from '@perch/engine';
import { CANARIES, mintToken, startEmbedStack, type EmbedStack } from './embed-stack.js';
import { recordResponses } from '../helpers/page-responses.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/dashboard-screens');
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

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

/** Sign in as a demo user; `ready()` is the number of tc-ready events so far. */
async function signIn(userId: string, viewport: { width: number; height: number }) {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.addInitScript(() => {
    const w = window as unknown as { __ready: number };
    w.__ready = 0;
    // The dashboard's rounds only: the sidebar's list sends its own tc-ready.
    document.addEventListener('tc-ready', (e) => {
      if ((e as CustomEvent<{ component?: string }>).detail?.component !== 'dashboard-list') w.__ready++;
    });
  });
  const recorder = await recordResponses(page);
  await page.goto(stack.host.url);
  await page.click(`button[value="${userId}"]`);
  await page.waitForURL('**/dashboard');
  await page.waitForFunction(() => (window as unknown as { __ready: number }).__ready > 0, undefined, { timeout: 45_000 });
  const ready = () => page.evaluate(() => (window as unknown as { __ready: number }).__ready);
  return {
    page,
    /** Run `action` and wait for the round of tiles it starts to settle. */
    async settleAfter(action: () => Promise<void>) {
      const before = await ready();
      await action();
      await page.waitForFunction((n) => (window as unknown as { __ready: number }).__ready > n, before, { timeout: 45_000 });
    },
    /** Run `action` (a drill, which reloads one tile) and wait for that tile to show its data. */
    async tileAfter(chart: string, action: () => Promise<void>) {
      await action();
      await page.waitForFunction(
        (id) => document.querySelector('tc-dashboard')?.shadowRoot?.querySelector(`section[data-chart="${id}"]`)?.getAttribute('data-status') === 'ready',
        chart,
        { timeout: 45_000 },
      );
    },
    async network() {
      await recorder.settled();
      return recorder.responses.map((r) => r.body).join('\n');
    },
  };
}


/** Alice's rows (tenant acme, department sales) in the dashboard's default range, plus `extra` SQL. */
function aliceWhere(extra = ''): string {
  const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
  const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  return `o.customer_id = 'acme' AND o.department = 'sales' AND o.ordered_at >= TIMESTAMP '${iso(start)}' AND o.ordered_at < TIMESTAMP '${iso(end)}'${extra}`;
}

const money0 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 0, maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

async function kpis(where: string): Promise<{ revenue: string; orders: string }> {
  const [row] = await stack.sql<{ revenue: string | number | null; orders: string | number }>(
    `SELECT sum(o.amount) AS revenue, count(*) AS orders FROM orders o JOIN products p ON p.product_id = o.product_id WHERE ${where}`,
  );
  return { revenue: money0.format(Number(row?.revenue ?? 0)), orders: integer.format(Number(row?.orders ?? 0)) };
}

async function revenueByRegion(where: string): Promise<Map<string, string>> {
  const rows = await stack.sql<{ region: string; revenue: string | number }>(
    `SELECT o.region AS region, sum(o.amount) AS revenue FROM orders o JOIN products p ON p.product_id = o.product_id WHERE ${where} GROUP BY o.region`,
  );
  return new Map(rows.map((r) => [r.region, money2.format(Number(r.revenue))]));
}

async function shownKpis(page: Page): Promise<{ revenue: string; orders: string }> {
  return {
    revenue: (await page.locator('tc-dashboard section[data-chart="revenue_kpi"] .kpi').innerText()).trim(),
    orders: (await page.locator('tc-dashboard section[data-chart="orders_kpi"] .kpi').innerText()).trim(),
  };
}

async function shownRegionTable(page: Page): Promise<Map<string, string>> {
  const rows = page.locator('tc-dashboard section[data-chart="revenue_by_region"] tbody tr');
  const shown = new Map<string, string>();
  for (const row of await rows.all()) {
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
    shown.set(cells[0]!, cells[1]!);
  }
  return shown;
}

describe('cross-filtering', () => {
  it('filters the other tiles by a clicked table row, equal to direct SQL with the tenant predicate; the chip and a second click remove it', async () => {
    const { page, settleAfter, network } = await signIn('alice', VIEWPORTS[0]);
    try {
      const dashboard = page.locator('tc-dashboard');
      // The region chart as its data table: its rows are the keyboard path to the chart's values.
      await dashboard.locator('section[data-chart="revenue_by_region"] button.data-table').click();
      const product = (await dashboard.locator('section[data-chart="top_products"] tbody tr button.row-filter').first().innerText()).trim();
      expect(product.length).toBeGreaterThan(0);
      const unfiltered = await kpis(aliceWhere());
      expect(await shownKpis(page)).toEqual(unfiltered);

      // Click the product's row in the table tile.
      await settleAfter(() => dashboard.locator('section[data-chart="top_products"] tbody tr', { hasText: product }).first().locator('td').nth(1).click());
      const productClause = ` AND p.name = '${product.replace(/'/g, "''")}'`;
      const filtered = await kpis(aliceWhere(productClause));
      expect(filtered).not.toEqual(unfiltered);
      expect(await shownKpis(page)).toEqual(filtered);
      expect(await shownRegionTable(page)).toEqual(await revenueByRegion(aliceWhere(productClause)));
      const chip = dashboard.locator('.cross-filters .chip');
      expect((await chip.locator('.chip-text').allInnerTexts()).map((t) => t.trim())).toEqual([`Product: ${product}`]);
      // The tile the value was clicked in keeps its rows, with the clicked one marked.
      expect(await dashboard.locator('section[data-chart="top_products"] tbody tr').count()).toBeGreaterThan(1);
      expect(await dashboard.locator('section[data-chart="top_products"] button.row-filter[aria-pressed="true"]').innerText()).toBe(product);

      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        for (const theme of ['light', 'dark'] as const) {
          await page.evaluate((t) => {
            document.querySelector('tc-dashboard')?.setAttribute('theme', t);
            document.body.style.background = t === 'dark' ? '#0d0f12' : '';
          }, theme);
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await page.screenshot({ path: join(SCREENSHOTS, `alice-cross-filter-${viewport.name}-${theme}.png`), fullPage: true });
        }
      }
      await page.setViewportSize(VIEWPORTS[0]);

      // The chip's ✕ removes the filter: back to the unfiltered numbers.
      await settleAfter(() => chip.locator('button.chip-remove').click());
      expect(await dashboard.locator('.cross-filters').count()).toBe(0);
      expect(await shownKpis(page)).toEqual(unfiltered);

      // By keyboard: a region's button in the region table, Enter.
      const region = (await dashboard.locator('section[data-chart="revenue_by_region"] tbody tr button.row-filter').first().innerText()).trim();
      await dashboard.locator('section[data-chart="revenue_by_region"] tbody tr button.row-filter').first().focus();
      // The region chart can drill, so its value opens a menu; its first item has the focus.
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => document.querySelector('tc-dashboard')?.shadowRoot?.activeElement?.textContent?.trim())).toBe('Filter dashboard');
      await settleAfter(() => page.keyboard.press('Enter'));
      const regionClause = ` AND o.region = '${region.replace(/'/g, "''")}'`;
      expect(await shownKpis(page)).toEqual(await kpis(aliceWhere(regionClause)));
      expect((await dashboard.locator('.cross-filters .chip-text').allInnerTexts()).map((t) => t.trim())).toEqual([`Region: ${region}`]);
      // A second click on the same value removes it.
      await settleAfter(() => dashboard.locator('section[data-chart="revenue_by_region"] tbody tr button.row-filter', { hasText: region }).first().click());
      expect(await dashboard.locator('.cross-filters').count()).toBe(0);
      expect(await shownKpis(page)).toEqual(unfiltered);

      // Two filters, then "Clear all".
      await dashboard.locator('section[data-chart="revenue_by_region"] tbody tr button.row-filter').first().click();
      await settleAfter(() => dashboard.locator('.value-menu button.menu-filter').click());
      await settleAfter(() => dashboard.locator('section[data-chart="top_products"] tbody tr button.row-filter').first().click());
      expect(await dashboard.locator('.cross-filters .chip').count()).toBe(2);
      expect(await shownKpis(page)).toEqual(await kpis(aliceWhere(`${regionClause} AND p.name = '${product.replace(/'/g, "''")}'`)));
      await settleAfter(() => dashboard.locator('.cross-filters button.clear-cross').click());
      expect(await dashboard.locator('.cross-filters').count()).toBe(0);
      expect(await shownKpis(page)).toEqual(unfiltered);

      const seen = `${await deepHtml(page)}\n${await network()}`;
      for (const canary of [CANARIES.globex, CANARIES.initech]) expect(seen).not.toContain(canary);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('filters by a clicked point of the line chart (its month), equal to direct SQL', async () => {
    const { page, settleAfter } = await signIn('alice', VIEWPORTS[0]);
    try {
      const dashboard = page.locator('tc-dashboard');
      const tile = dashboard.locator('section[data-chart="revenue_by_month"]');
      const canvas = tile.locator('tc-chart canvas');
      const box = await canvas.boundingBox();
      if (!box) throw new Error('no canvas');
      // Index mode: a click anywhere over the plot picks the nearest month; the middle is inside the plot.
      await canvas.click({ position: { x: box.width / 2, y: box.height / 2 } });
      await settleAfter(() => dashboard.locator('.value-menu button.menu-filter').click());
      const chipText = (await dashboard.locator('.cross-filters .chip-text').innerText()).trim();
      expect(chipText).toMatch(/^Order date: /);
      const month = await page.evaluate(() => {
        const board = document.querySelector('tc-dashboard') as unknown as { data: { filters: { cross?: Array<{ value: string; granularity?: string }> } } };
        return board.data.filters.cross?.[0];
      });
      expect(month?.granularity).toBe('month');
      expect(month?.value).toMatch(/^\d{4}-\d{2}-01$/);
      const from = `${month!.value}`;
      const next = new Date(`${from}T00:00:00Z`);
      next.setUTCMonth(next.getUTCMonth() + 1);
      const clause = ` AND o.ordered_at >= TIMESTAMP '${from} 00:00:00' AND o.ordered_at < TIMESTAMP '${next.toISOString().slice(0, 10)} 00:00:00'`;
      const expected = await kpis(aliceWhere(clause));
      expect(expected.orders).not.toBe('0');
      expect(await shownKpis(page)).toEqual(expected);
      // The chart it was clicked in is not filtered by its own value: all its months stay.
      expect(await tile.getAttribute('data-status')).toBe('ready');
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('drill-down', () => {
  it('drills the region chart to the countries of the clicked region, with a breadcrumb back, equal to direct SQL', async () => {
    const { page, tileAfter, network } = await signIn('alice', VIEWPORTS[0]);
    try {
      const dashboard = page.locator('tc-dashboard');
      const tile = dashboard.locator('section[data-chart="revenue_by_region"]');
      await tile.locator('button.data-table').click();
      const regions = await shownRegionTable(page);
      const region = [...regions.keys()][0]!;
      await tile.locator('tbody tr button.row-filter', { hasText: region }).first().click();
      expect(await dashboard.locator('.value-menu button.menu-drill').innerText()).toBe('Drill down to Country');
      // Alice is a viewer: no "View rows".
      expect(await dashboard.locator('.value-menu button.menu-rows').count()).toBe(0);
      await page.screenshot({ path: join(SCREENSHOTS, 'alice-value-menu-desktop-light.png') });
      await tileAfter('revenue_by_region', () => dashboard.locator('.value-menu button.menu-drill').click());
      expect((await tile.locator('nav.breadcrumb li').allInnerTexts()).map((t) => t.trim())).toEqual(['Region', `${region} by Country`]);
      expect((await tile.locator('th').allInnerTexts()).map((t) => t.trim())).toEqual(['Country', 'Revenue']);
      const expected = await stack.sql<{ country: string; revenue: string | number }>(
        `SELECT c.country AS country, sum(o.amount) AS revenue FROM orders o LEFT JOIN customers c ON c.customer_id = o.customer_id AND c.customer_id = 'acme'
         WHERE ${aliceWhere(` AND o.region = '${region.replace(/'/g, "''")}'`)} GROUP BY c.country`,
      );
      expect(expected.length).toBeGreaterThan(0);
      const shown = new Map<string, string>();
      for (const row of await tile.locator('tbody tr').all()) {
        const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
        shown.set(cells[0]!, cells[1]!);
      }
      expect(shown).toEqual(new Map(expected.map((r) => [r.country, money2.format(Number(r.revenue))])));
      // The other tiles are not filtered by a drill: it is the tile's own view.
      expect(await shownKpis(page)).toEqual(await kpis(aliceWhere()));

      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        for (const theme of ['light', 'dark'] as const) {
          await page.evaluate((t) => {
            document.querySelector('tc-dashboard')?.setAttribute('theme', t);
            document.body.style.background = t === 'dark' ? '#0d0f12' : '';
          }, theme);
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          await page.screenshot({ path: join(SCREENSHOTS, `alice-drilled-${viewport.name}-${theme}.png`), fullPage: true });
        }
      }
      await page.setViewportSize(VIEWPORTS[0]);

      // The breadcrumb goes back to the regions.
      await tileAfter('revenue_by_region', () => tile.locator('nav.breadcrumb button.crumb').click());
      expect(await tile.locator('nav.breadcrumb').count()).toBe(0);
      expect(await shownRegionTable(page)).toEqual(regions);

      const seen = `${await deepHtml(page)}\n${await network()}`;
      for (const canary of [CANARIES.globex, CANARIES.initech]) expect(seen).not.toContain(canary);
    } finally {
      await page.close();
    }
  }, 180_000);

  it('drills a month of the line chart to its days, equal to direct SQL', async () => {
    const { page, tileAfter } = await signIn('alice', VIEWPORTS[0]);
    try {
      const dashboard = page.locator('tc-dashboard');
      const tile = dashboard.locator('section[data-chart="revenue_by_month"]');
      await tile.locator('button.data-table').click();
      const monthButton = tile.locator('tbody tr button.row-filter').nth(2);
      const monthLabel = (await monthButton.innerText()).trim();
      await monthButton.click();
      await tileAfter('revenue_by_month', () => dashboard.locator('.value-menu button.menu-drill').click());
      expect((await tile.locator('nav.breadcrumb li').allInnerTexts()).map((t) => t.trim())).toEqual(['Order date', `${monthLabel} by Order date`]);
      const step = await page.evaluate(() => (document.querySelector('tc-dashboard') as unknown as { data: { drills: Map<string, Array<{ value: string }>> } }).data.drills.get('revenue_by_month')?.[0]?.value);
      expect(step).toMatch(/^\d{4}-\d{2}-01$/);
      const next = new Date(`${step}T00:00:00Z`);
      next.setUTCMonth(next.getUTCMonth() + 1);
      const expected = await stack.sql<{ revenue: string | number }>(
        `SELECT sum(o.amount) AS revenue FROM orders o WHERE ${aliceWhere(` AND o.ordered_at >= TIMESTAMP '${step} 00:00:00' AND o.ordered_at < TIMESTAMP '${next.toISOString().slice(0, 10)} 00:00:00'`)}
         GROUP BY date_trunc('day', o.ordered_at)`,
      );
      expect(expected.length).toBeGreaterThan(1);
      const shown = (await tile.locator('tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.trim()).sort();
      expect(shown).toEqual(expected.map((r) => money2.format(Number(r.revenue))).sort());
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('underlying rows (POST /v1/rows)', () => {
  const acmeFinance = { customerId: 'acme', department: 'finance' };
  const rowsOf = async (token: string, body: unknown) =>
    fetch(`${stack.perch.url}/v1/rows`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('pages the rows behind a region, equal to direct SQL with the tenant predicate, sorted and as CSV; viewers are refused', async () => {
    const explorer = await mintToken(stack, { distinctId: 'dan-explorer', role: 'explorer', attributes: acmeFinance });
    const viewer = await mintToken(stack, { distinctId: 'alice-viewer', role: 'viewer', attributes: acmeFinance });
    const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
    const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
    const [{ region }] = await stack.sql<{ region: string }>(`SELECT region FROM orders WHERE customer_id = 'acme' GROUP BY region ORDER BY count(*) DESC LIMIT 1`) as [{ region: string }];
    const expected = await stack.sql<{ order_id: number | string }>(
      `SELECT o.order_id FROM orders o WHERE o.customer_id = 'acme' AND o.region = '${region}' AND o.ordered_at >= TIMESTAMP '${iso(start)}' AND o.ordered_at < TIMESTAMP '${iso(end)}' ORDER BY o.order_id DESC`,
    );
    expect(expected.length).toBeGreaterThan(30);
    const body = { dashboard: 'sales', chart: 'revenue_by_region', value: { member: 'region', value: region }, order: { member: 'order_id', direction: 'desc' }, limit: 25 };

    const seen: string[] = [];
    const ids: number[] = [];
    for (let offset = 0; ; offset += 25) {
      const response = await rowsOf(explorer, { ...body, offset });
      expect(response.status).toBe(200);
      const text = await response.text();
      seen.push(text);
      const page = JSON.parse(text) as { columns: Array<{ name: string; title: string }>; rows: Array<Record<string, unknown>>; meta: { hasMore: boolean } };
      expect(page.columns.map((c) => c.title)).toEqual(['Order ID', 'Order date', 'Region', 'Sales channel', 'Status', 'Product']);
      for (const row of page.rows) expect(row.region).toBe(region);
      ids.push(...page.rows.map((r) => Number(r.order_id)));
      if (!page.meta.hasMore) break;
    }
    expect(ids).toEqual(expected.map((r) => Number(r.order_id)));

    const csv = await rowsOf(explorer, { ...body, format: 'csv' });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    seen.push(lines.join('\n'));
    expect(lines[0]).toBe('Order ID,Order date,Region,Sales channel,Status,Product');
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(ids);

    const refused = await rowsOf(viewer, body);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('resource_forbidden');
    // A value on a member the chart does not group by, or a foreign tenant's value, shows nothing of another tenant.
    const bad = await rowsOf(explorer, { ...body, value: { member: 'customer_id', value: 'globex' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'unknown_member', path: 'value.member' } });
    // Another tenant's region value: no row of theirs comes back.
    const foreign = await rowsOf(explorer, { ...body, value: { member: 'region', value: CANARIES.globex } });
    expect(foreign.status).toBe(200);
    expect(((await foreign.json()) as { rows: unknown[] }).rows).toEqual([]);
    for (const canary of Object.values(CANARIES)) expect(seen.join('\n')).not.toContain(canary);
  }, 120_000);
});

describe('View rows in the dashboard', () => {
  it('opens the rows behind a product for an explorer, paged and sorted by Perch, equal to direct SQL, with no other tenant in the page', async () => {
    // Bob: explorer, tenant globex, department finance (sees every department).
    const { page, network } = await signIn('bob', VIEWPORTS[0]);
    try {
      const dashboard = page.locator('tc-dashboard');
      const product = (await dashboard.locator('section[data-chart="top_products"] tbody tr button.row-filter').first().innerText()).trim();
      await dashboard.locator('section[data-chart="top_products"] tbody tr button.row-filter').first().click();
      await dashboard.locator('.value-menu button.menu-rows').click();
      const panel = dashboard.locator('.rows-panel');
      await panel.locator('tbody tr').first().waitFor();
      expect((await panel.locator('h3').innerText()).trim()).toBe(`Rows for Product: ${product}`);
      expect((await panel.locator('th').allInnerTexts()).map((t) => t.trim())).toEqual(['Order ID', 'Order date', 'Region', 'Sales channel', 'Status', 'Product']);
      const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
      const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
      const ids = (await stack.sql<{ order_id: number | string }>(
        `SELECT o.order_id FROM orders o JOIN products p ON p.product_id = o.product_id WHERE o.customer_id = 'globex' AND p.name = '${product.replace(/'/g, "''")}'
         AND o.ordered_at >= TIMESTAMP '${iso(start)}' AND o.ordered_at < TIMESTAMP '${iso(end)}' ORDER BY o.order_id`,
      )).map((r) => String(r.order_id));
      expect(ids.length).toBeGreaterThan(0);
      const shownIds = async () => (await panel.locator('tbody tr td:first-child').allInnerTexts()).map((t) => t.trim());
      expect(await shownIds()).toEqual(ids.slice(0, 50));
      for (const cell of await panel.locator('tbody tr td:nth-child(6)').allInnerTexts()) expect(cell.trim()).toBe(product);

      // Sort by Order ID: ascending, then descending (Perch sorts; the first row is the largest id).
      await panel.locator('th button.sort', { hasText: 'Order ID' }).click();
      await expect.poll(() => panel.locator('th').first().getAttribute('aria-sort')).toBe('ascending');
      await panel.locator('th button.sort', { hasText: 'Order ID' }).click();
      await expect.poll(() => panel.locator('th').first().getAttribute('aria-sort')).toBe('descending');
      await expect.poll(shownIds).toEqual([...ids].reverse().slice(0, 50));
      await page.screenshot({ path: join(SCREENSHOTS, 'bob-rows-desktop-light.png') });
      await page.setViewportSize(VIEWPORTS[1]);
      await page.screenshot({ path: join(SCREENSHOTS, 'bob-rows-phone-light.png') });

      await page.keyboard.press('Escape');
      await expect.poll(() => dashboard.locator('.rows-panel').count()).toBe(0);
      const seen = `${await deepHtml(page)}\n${await network()}`;
      expect(seen).not.toContain(CANARIES.initech);
    } finally {
      await page.close();
    }
  }, 120_000);
});

describe('a tile that cannot express a cross-filter', () => {
  it('says so in the tile, while the tile on the same dataset is filtered', async () => {
    // A maker of acme saves a dashboard with an orders chart and a product-catalogue chart (no region there).
    const user = { distinctId: 'cf-maker', role: 'maker', attributes: { customerId: 'acme', department: 'finance' } };
    const maker = await mintToken(stack, user, ['cf_mixed']);
    const saved = await fetch(`${stack.perch.url}/v1/dashboards`, {
      method: 'POST',
      headers: { authorization: `Bearer ${maker}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'cf_mixed',
        title: 'Mixed',
        charts: [
          { id: 'orders_by_region', type: 'table', title: 'Orders by region', query: { dataset: 'orders', measures: ['orders'], dimensions: ['region'] } },
          { id: 'orders_total', type: 'kpi', title: 'Orders', query: { dataset: 'orders', measures: ['orders'] } },
          { id: 'catalogue', type: 'kpi', title: 'Products', query: { dataset: 'products', measures: ['count'] } },
        ],
        layout: [
          { chart: 'orders_by_region', x: 0, y: 0, w: 12, h: 4 },
          { chart: 'orders_total', x: 0, y: 4, w: 6, h: 2 },
          { chart: 'catalogue', x: 6, y: 4, w: 6, h: 2 },
        ],
      }),
    });
    expect(saved.status, await saved.clone().text()).toBe(201);
    const viewerToken = await mintToken(stack, { ...user, distinctId: 'cf-viewer', role: 'viewer' }, ['cf_mixed']);

    // The demo host's page (an authorized origin, Perch's script loaded) gets a second dashboard.
    const { page } = await signIn('alice', VIEWPORTS[0]);
    try {
      await page.evaluate((token) => {
        const board = document.createElement('tc-dashboard');
        board.id = 'mixed';
        board.setAttribute('dashboard', 'cf_mixed');
        board.setAttribute('token', token);
        document.body.prepend(board);
      }, viewerToken);
      const board = page.locator('#mixed');
      const row = board.locator('section[data-chart="orders_by_region"] tbody tr button.row-filter').first();
      await row.waitFor({ timeout: 45_000 });
      const region = (await row.innerText()).trim();
      await row.click();
      // The region table can drill (the orders hierarchy): choose "Filter dashboard".
      await board.locator('.value-menu button.menu-filter').click();
      await expect.poll(() => board.locator('section[data-chart="catalogue"] .cross-note').count(), { timeout: 45_000 }).toBe(1);
      expect((await board.locator('section[data-chart="catalogue"] .cross-note').innerText()).trim()).toBe("Not filtered by Region: this chart's data has no Region.");
      expect(await board.locator('section[data-chart="orders_total"] .cross-note').count()).toBe(0);
      const [expected] = await stack.sql<{ orders: number | string }>(`SELECT count(*) AS orders FROM orders WHERE customer_id = 'acme' AND region = '${region.replace(/'/g, "''")}'`);
      await expect.poll(async () => (await board.locator('section[data-chart="orders_total"] .kpi').innerText()).trim()).toBe(integer.format(Number(expected!.orders)));
      const [products] = await stack.sql<{ n: number | string }>('SELECT count(*) AS n FROM products');
      expect((await board.locator('section[data-chart="catalogue"] .kpi').innerText()).trim()).toBe(integer.format(Number(products!.n)));
    } finally {
      await page.close();
    }
  }, 120_000);
});
