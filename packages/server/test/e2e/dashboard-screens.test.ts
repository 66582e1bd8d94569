/**
 * What an end user sees of `<tc-dashboard>` on the real stack (real Perch, the demo warehouse,
 * the demo host on another origin, Chromium): titles and formats from the model, the empty and
 * error states, and a screenshot set for every demo user at desktop and phone size in both
 * themes. The screenshots are written under test-artifacts/ (git-ignored) to be looked at.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepHtml } from './deep-html.js';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { DEMO_USERS } from '@perch/demo-host';
import { CANARIES, startEmbedStack, type EmbedStack } from './embed-stack.js';
import { recordResponses } from '../helpers/page-responses.js';

const SCREENSHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test-artifacts/dashboard-screens');
const VIEWPORTS = [
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;
const THEMES = ['light', 'dark'] as const;

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

interface OpenPage {
  page: Page;
  /** Every response body the page received so far (settled). */
  network(): Promise<string>;
}

/** Sign in as a demo user at a viewport and wait for the dashboard's first tc-ready or tc-error. */
async function signIn(userId: string, viewport: { width: number; height: number }, options: { failTokens?: boolean } = {}): Promise<OpenPage> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  // No chart animation: a screenshot taken just after a theme change shows finished charts.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.addInitScript(() => {
    const w = window as unknown as { __settled: number };
    w.__settled = 0;
    // The dashboard's events only: the sidebar's list sends its own tc-ready.
    for (const type of ['tc-ready', 'tc-error']) {
      document.addEventListener(type, (e) => {
        if ((e as CustomEvent<{ component?: string }>).detail?.component !== 'dashboard-list') w.__settled++;
      });
    }
  });
  const recorder = await recordResponses(page);
  // The host's own token endpoint failing (its session store is down): the component's error state.
  if (options.failTokens) await page.route('**/api/perch-token', (route) => route.fulfill({ status: 503, body: '{}' }));
  await page.goto(stack.host.url);
  await page.click(`button[value="${userId}"]`);
  await page.waitForURL('**/dashboard');
  await page.waitForFunction(() => (window as unknown as { __settled: number }).__settled > 0, undefined, { timeout: 45_000 });
  return {
    page,
    async network() {
      await recorder.settled();
      return recorder.responses.map((r) => r.body).join('\n');
    },
  };
}


async function setTheme(page: Page, theme: string): Promise<void> {
  await page.evaluate((t) => {
    for (const el of Array.from(document.querySelectorAll('tc-dashboard, tc-dashboard-list, tc-ai-assistant'))) el.setAttribute('theme', t);
    document.body.style.background = t === 'dark' ? '#0d0f12' : '';
  }, theme);
  // Charts repaint on the next frame after a theme change.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

function otherCanaries(customerId: unknown): string[] {
  return Object.entries(CANARIES)
    .filter(([tenant]) => tenant !== customerId)
    .map(([, canary]) => canary);
}

describe('the dashboard as its users see it', () => {
  it('labels the table with the model titles and formats money with the currency and two decimals', async () => {
    const { page } = await signIn('alice', VIEWPORTS[0]);
    try {
      const table = page.locator('tc-dashboard section[data-chart="top_products"]');
      await table.locator('tbody tr').first().waitFor();
      expect((await table.locator('th').allInnerTexts()).map((h) => h.trim())).toEqual(['Product', 'Revenue', 'Units sold']);
      const revenue = await table.locator('tbody tr td:nth-child(2)').allTextContents();
      expect(revenue.length).toBeGreaterThan(0);
      for (const cell of revenue) expect(cell).toMatch(/^\$[\d,]+\.\d{2}$/);
      const units = await table.locator('tbody tr td:nth-child(3)').allTextContents();
      for (const cell of units) expect(cell).toMatch(/^[\d,]+$/);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows the revenue KPI\'s change against the previous 12 months equal to direct SQL with the tenant predicate', async () => {
    const { page } = await signIn('alice', VIEWPORTS[0]);
    try {
      const change = page.locator('tc-dashboard section[data-chart="revenue_kpi"] .kpi-change');
      await change.waitFor();
      // Alice: tenant acme, department sales (her department sees only its own rows).
      const now = new Date();
      const month = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
      const revenue = async (from: string, to: string) => {
        const [row] = await stack.sql<{ revenue: number | string | null }>(
          `SELECT sum(amount) AS revenue FROM orders WHERE customer_id = 'acme' AND department = 'sales' AND ordered_at >= TIMESTAMP '${from}' AND ordered_at < TIMESTAMP '${to}'`,
        );
        return Number(row?.revenue ?? 0);
      };
      const current = await revenue(month(-12), month(0));
      const previous = await revenue(month(-24), month(-12));
      expect(previous).toBeGreaterThan(0);
      const expected = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Math.abs((current - previous) / previous));
      const text = (await change.innerText()).replace(/\s+/g, ' ').trim();
      expect(text).toBe(`${current >= previous ? '▲ Up' : '▼ Down'} ${expected} vs previous period`);
    } finally {
      await page.close();
    }
  }, 90_000);

  it('shows "No data for Last 7 days." in every tile when the range holds no rows, and Reset filters brings the data back', async () => {
    // The test warehouse keeps the fixed history (it ends 2026-10-30), so the last 7 days are empty.
    const { page } = await signIn('alice', VIEWPORTS[0]);
    try {
      await page.locator('tc-dashboard select[name="dateRange"]').selectOption('last 7 days');
      await page.locator('tc-dashboard section[data-chart="revenue_kpi"] .empty').waitFor();
      for (const chart of ['revenue_kpi', 'orders_kpi', 'revenue_by_month', 'revenue_by_region', 'orders_by_channel', 'top_products']) {
        await expect.poll(() => page.locator(`tc-dashboard section[data-chart="${chart}"] .tile-body`).innerText()).toContain('No data for Last 7 days.');
      }
      for (const viewport of VIEWPORTS) {
        await page.setViewportSize(viewport);
        for (const theme of THEMES) {
          await setTheme(page, theme);
          await page.screenshot({ path: join(SCREENSHOTS, `alice-empty-${viewport.name}-${theme}.png`), fullPage: true });
        }
      }
      await page.locator('tc-dashboard section[data-chart="revenue_kpi"] button', { hasText: 'Reset filters' }).click();
      await page.locator('tc-dashboard section[data-chart="revenue_kpi"] .kpi').waitFor();
      expect(await page.locator('tc-dashboard section[data-chart="revenue_kpi"] .kpi').innerText()).toMatch(/^\$[\d,]+$/);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('tells the user in a sentence when the host cannot supply a token, with Try again and the code behind Details', async () => {
    for (const viewport of VIEWPORTS) {
      const { page } = await signIn('bob', viewport, { failTokens: true });
      try {
        const error = page.locator('tc-dashboard [data-code="token_fetch_failed"]');
        await error.waitFor();
        expect(await error.locator('.sentence').innerText()).toBe('We could not sign you in to this dashboard.');
        expect(await error.locator('button', { hasText: 'Try again' }).count()).toBe(1);
        await error.locator('summary').click();
        for (const theme of THEMES) {
          await setTheme(page, theme);
          await page.screenshot({ path: join(SCREENSHOTS, `bob-error-${viewport.name}-${theme}.png`), fullPage: true });
        }
      } finally {
        await page.close();
      }
    }
  }, 120_000);

  it('writes a screenshot set for every demo user at both sizes in both themes, with no other tenant in the page or on the wire', async () => {
    for (const user of DEMO_USERS) {
      for (const viewport of VIEWPORTS) {
        const { page, network } = await signIn(user.id, viewport);
        try {
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          expect(overflow, `${user.id} ${viewport.name}`).toBeLessThanOrEqual(0);
          for (const theme of THEMES) {
            await setTheme(page, theme);
            await page.screenshot({ path: join(SCREENSHOTS, `${user.id}-${viewport.name}-${theme}.png`), fullPage: true });
          }
          const seen = `${await deepHtml(page)}\n${await network()}`;
          for (const canary of otherCanaries(user.attributes.customerId)) expect(seen, user.id).not.toContain(canary);
        } finally {
          await page.close();
        }
      }
    }
  }, 300_000);
});
