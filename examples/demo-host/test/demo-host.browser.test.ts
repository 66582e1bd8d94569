import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbed, defaultDashboardList, launchBrowser, startFixtureServer, type FixtureServer, type LaunchedBrowser } from '@perch/embed/testing';
import { startDemoHost, type DemoHost } from '../src/index.js';

/**
 * The demo host page in Chromium, on its own origin, loading the components cross-origin from a
 * fixture implementation of the Perch API (the real server has its own end-to-end suite).
 */
const API_KEY = 'pk_test_' + 'H3stK3y9'.repeat(6);
const HOST_PORT = 41_000 + (process.pid % 2_000);
let distDir: string;
let perch: FixtureServer;
let host: DemoHost;
let browser: LaunchedBrowser;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-demo-dist-'));
  await buildEmbed({ outdir: distDir });
  perch = await startFixtureServer({ distDir, corsOrigins: [`http://127.0.0.1:${HOST_PORT}`] });
  host = await startDemoHost({ port: HOST_PORT, host: '127.0.0.1', perchUrl: perch.url, apiKey: API_KEY });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await host?.close();
  await perch?.close();
  await rm(distDir, { recursive: true, force: true });
});

describe('demo host in Chromium', () => {
  it('signs in, mints a token server-side and renders the dashboard cross-origin', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    // Listen from the very start of every document, before the components load.
    await page.addInitScript(() => {
      const w = window as unknown as { __perchEvents: string[] };
      w.__perchEvents = [];
      for (const type of ['tc-ready', 'tc-error']) {
        document.addEventListener(type, (e) => w.__perchEvents.push(`${type}:${JSON.stringify((e as CustomEvent).detail)}`));
      }
    });
    await page.goto(host.url);
    await page.getByRole('button', { name: /Alice Martin/ }).click();
    await page.waitForURL(/\/dashboard$/);
    expect(await page.getByTestId('who').textContent()).toBe('Alice Martin');
    await page.locator('tc-dashboard section[data-chart="revenue_total"][data-status="ready"]').waitFor();
    await page.locator('tc-dashboard section[data-chart="revenue_by_month"] canvas').waitFor();

    // The API key stayed on the host's server: the browser only ever sent the minted token.
    expect(perch.minted).toHaveLength(1);
    expect(perch.minted[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    const apiCalls = perch.requests;
    // The dashboard's load (session, definition and tiles in one request), then its picker values.
    expect(apiCalls.map((r) => r.path)).toContain('/v1/dashboards/sales/tiles');
    expect(apiCalls.length).toBeGreaterThanOrEqual(2);
    expect(apiCalls.every((r) => r.authorization === 'Bearer valid-alice')).toBe(true);
    expect(apiCalls.every((r) => r.origin === `http://127.0.0.1:${HOST_PORT}`)).toBe(true);
    expect(await page.content()).not.toContain(API_KEY);
    // No spurious token_missing while app.js attaches fetchToken after the element upgrades.
    const events = await page.evaluate(() => (window as unknown as { __perchEvents: string[] }).__perchEvents);
    expect(events.filter((e) => e.startsWith('tc-error'))).toEqual([]);
    await expect.poll(async () => page.evaluate(() => (window as unknown as { __perchEvents: string[] }).__perchEvents.some((e) => e.startsWith('tc-ready')))).toBe(true);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('fits a phone for an explorer: the dashboard above the assistant at full width, no clipped KPI, no sideways scroll, one token for both', async () => {
    perch.minted.length = 0;
    // Signed out: the first test's session cookie lives in the same browser profile.
    await browser.context.clearCookies();
    const page = await browser.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(host.url);
    await page.getByRole('button', { name: /Bob Chen/ }).click();
    await page.waitForURL(/\/dashboard$/);
    await page.locator('tc-dashboard section[data-chart="revenue_total"][data-status="ready"]').waitFor();
    const layout = await page.evaluate(() => {
      const box = (el: Element | null) => el?.getBoundingClientRect();
      const kpi = document.querySelector('tc-dashboard')!.shadowRoot!.querySelector('.kpi')!;
      return {
        scrollWidth: document.documentElement.scrollWidth,
        dashboard: box(document.querySelector('tc-dashboard'))!,
        assistant: box(document.querySelector('tc-ai-assistant'))!,
        kpiClipped: kpi.scrollWidth > kpi.clientWidth + 1,
      };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.dashboard.width).toBeGreaterThan(340);
    expect(layout.assistant.top).toBeGreaterThanOrEqual(layout.dashboard.bottom);
    expect(layout.kpiClipped).toBe(false);
    // The sidebar's list sits above the dashboard on a phone, at full width.
    const list = await page.locator('tc-dashboard-list').boundingBox();
    expect(list!.width).toBeGreaterThan(300);
    expect(list!.y + list!.height).toBeLessThanOrEqual(layout.dashboard.top);
    // The dashboard, the list and the assistant share one token provider: the page minted one token.
    expect(perch.minted).toHaveLength(1);
    await page.close();
  });

  it('opens the dashboard picked in the sidebar list and hands "New dashboard" to the dashboard', async () => {
    await browser.context.clearCookies();
    perch.dashboardList = { ...defaultDashboardList(), canCreate: true };
    const page = await browser.newPage();
    try {
      await page.goto(host.url);
      await page.getByRole('button', { name: /Carol Singh/ }).click();
      await page.waitForURL(/\/dashboard$/);
      await page.locator('tc-dashboard section[data-chart="revenue_total"][data-status="ready"]').waitFor();
      await page.locator('tc-dashboard-list button.item[data-id="sales"][aria-current="page"]').waitFor();
      await page.locator('tc-dashboard-list button.item[data-id="trend"]').click();
      await page.locator('tc-dashboard section[data-chart="revenue_trend"][data-status="ready"]').waitFor();
      expect(await page.evaluate(() => document.querySelector('tc-dashboard')!.dashboard)).toBe('trend');
      expect(await page.locator('tc-dashboard-list button.item[aria-current="page"]').getAttribute('data-id')).toBe('trend');
      // The dashboard's editor entry point, where this Perch version has one: the host calls it.
      await page.evaluate(() => {
        const board = document.querySelector('tc-dashboard') as unknown as { startNew?: () => void };
        board.startNew = () => void ((window as unknown as { __started: number }).__started = ((window as unknown as { __started?: number }).__started ?? 0) + 1);
      });
      await page.locator('tc-dashboard-list button.create').click();
      expect(await page.evaluate(() => (window as unknown as { __started?: number }).__started)).toBe(1);
    } finally {
      perch.dashboardList = defaultDashboardList();
      await page.close();
    }
  });
});
