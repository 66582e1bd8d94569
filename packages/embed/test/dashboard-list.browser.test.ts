import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { DashboardListResponse } from '@perch/protocol';
import { buildEmbed } from '../build.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';
import { defaultDashboardList, startFixtureServer, XSS_VALUE, type FixtureServer } from './fixture-server.js';

/*
 * <tc-dashboard-list> in Chromium against the fixture API, where each test sets the exact list
 * Perch answers: states (loading, empty, error), grouping, badges, search, keyboard, events, the
 * automatic refresh after a save, and axe-core. The real server's tenant isolation is covered by
 * packages/server/test/e2e/dashboard-list.test.ts.
 */
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let distDir: string;
let server: FixtureServer;
let browser: LaunchedBrowser;
let page: Page | undefined;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-embed-list-'));
  await buildEmbed({ outdir: distDir });
  server = await startFixtureServer({ distDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(distDir, { recursive: true, force: true });
});

afterEach(async () => {
  await page?.close();
  page = undefined;
  server.delays.clear();
  server.failures.clear();
  server.dashboardList = defaultDashboardList();
});

const HOUR = 3600_000;
/** A maker's view: two model dashboards, two of the team's saved ones (one not editable). */
function makerList(): DashboardListResponse {
  return {
    dashboards: [
      { id: 'sales', title: 'Sales overview', description: 'Revenue by region and month', source: 'model', editable: false },
      { id: 'trend', title: 'Trend', source: 'model', editable: false },
      { id: 'team_board', title: 'Team board', description: 'A long description '.repeat(20), source: 'saved', version: 3, updatedAt: new Date(Date.now() - 3 * HOUR).toISOString(), editable: true },
      { id: 'legacy', title: XSS_VALUE, source: 'saved', version: 1, updatedAt: new Date(Date.now() - 2 * 24 * HOUR).toISOString(), editable: false },
    ],
    canCreate: true,
  };
}

interface MountOptions {
  token?: string;
  selected?: string;
  theme?: string;
  waitFor?: 'tc-ready' | 'tc-error' | 'none';
}

type Logged = { type: string; detail: unknown };

/** Open a page with a `<tc-dashboard-list>` that logs every Perch event on `document`. */
async function mount(options: MountOptions = {}): Promise<Page> {
  const p = await browser.newPage();
  page = p;
  await p.goto(server.url);
  await p.waitForFunction(() => customElements.get('tc-dashboard-list') !== undefined);
  await p.evaluate((o) => {
    const w = window as unknown as { __events: Logged[] };
    w.__events = [];
    for (const type of ['tc-ready', 'tc-error', 'tc-token-expired', 'tc-dashboard-select', 'tc-dashboard-create']) {
      document.addEventListener(type, (e) => w.__events.push({ type, detail: (e as CustomEvent).detail }));
    }
    document.body.style.background = o.theme === 'dark' ? '#14171c' : '#ffffff';
    const el = document.createElement('tc-dashboard-list');
    el.setAttribute('token', o.token ?? 'valid-maker');
    if (o.selected) el.setAttribute('selected', o.selected);
    if (o.theme) el.setAttribute('theme', o.theme);
    el.style.width = '280px';
    document.body.append(el);
  }, options);
  if (options.waitFor !== 'none') await waitForEvent(p, options.waitFor ?? 'tc-ready');
  return p;
}

const events = (p: Page) => p.evaluate(() => (window as unknown as { __events: Logged[] }).__events);

async function waitForEvent(p: Page, type: string, count = 1): Promise<void> {
  await p.waitForFunction(([t, n]) => (window as unknown as { __events: Logged[] }).__events.filter((e) => e.type === t).length >= n, [type, count] as const);
}

/** The entries as drawn: group, id, title text, badge, selection and Tab order. */
function entries(p: Page) {
  return p.$$eval('tc-dashboard-list >> button.item', (buttons) =>
    buttons.map((b) => ({
      group: b.closest('section')?.getAttribute('data-source'),
      id: b.getAttribute('data-id'),
      title: b.querySelector('.item-title')?.textContent,
      badge: b.querySelector('[part="badge"]')?.textContent ?? null,
      current: b.getAttribute('aria-current'),
      tabIndex: b.tabIndex,
    })),
  );
}

describe('<tc-dashboard-list> in Chromium', () => {
  it('groups model and saved dashboards, marks the editable one and the open one, and escapes titles', async () => {
    server.dashboardList = makerList();
    const p = await mount({ selected: 'team_board' });
    expect(await entries(p)).toEqual([
      { group: 'model', id: 'sales', title: 'Sales overview', badge: null, current: null, tabIndex: -1 },
      { group: 'model', id: 'trend', title: 'Trend', badge: null, current: null, tabIndex: -1 },
      { group: 'saved', id: 'team_board', title: 'Team board', badge: 'Editable', current: 'page', tabIndex: 0 },
      { group: 'saved', id: 'legacy', title: XSS_VALUE, badge: null, current: null, tabIndex: -1 },
    ]);
    expect(await p.locator('tc-dashboard-list section[data-source="model"] h3').textContent()).toBe('Shared with you');
    expect(await p.locator('tc-dashboard-list section[data-source="saved"] h3').textContent()).toBe("Your team's dashboards");
    // Relative times from Intl.RelativeTimeFormat, the exact time in the tooltip.
    expect(await p.locator('tc-dashboard-list button[data-id="team_board"] time').textContent()).toBe('Updated 3 hours ago');
    expect(await p.locator('tc-dashboard-list button[data-id="legacy"] time').textContent()).toBe('Updated 2 days ago');
    // The long description is clamped to two lines, not drawn whole.
    const description = await p.locator('tc-dashboard-list button[data-id="team_board"] .item-description').evaluate((el) => ({ scroll: el.scrollHeight, client: el.clientHeight }));
    expect(description.scroll).toBeGreaterThan(description.client);
    expect(await p.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect((await events(p)).find((e) => e.type === 'tc-ready')?.detail).toMatchObject({ component: 'dashboard-list', count: 4 });
    expect(server.requests.filter((r) => r.path === '/v1/dashboards').at(-1)?.authorization).toBe('Bearer valid-maker');
  });

  it('treats a list without editable and canCreate as neither: no badge, no New dashboard', async () => {
    // The shape older Perch servers answer.
    server.dashboardList = { dashboards: [{ id: 'sales', title: 'Sales overview', source: 'model' }, { id: 'mine', title: 'Mine', source: 'saved' }] } as unknown as DashboardListResponse;
    const p = await mount();
    expect((await entries(p)).map((e) => [e.id, e.badge])).toEqual([
      ['sales', null],
      ['mine', null],
    ]);
    expect(await p.locator('tc-dashboard-list [part~="create-button"]').count()).toBe(0);
  });

  it('selects with the keyboard: arrows move across both groups, Enter fires tc-dashboard-select and marks the entry', async () => {
    server.dashboardList = makerList();
    const p = await mount({ selected: 'sales' });
    const focused = () => p.evaluate(() => document.querySelector('tc-dashboard-list')!.shadowRoot!.activeElement?.textContent?.trim().split('\n')[0]);
    // "New dashboard" first, then the open dashboard: the one entry in the Tab order.
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('New dashboard');
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.querySelector('tc-dashboard-list')!.shadowRoot!.activeElement?.getAttribute('data-id'))).toBe('sales');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('ArrowDown');
    expect(await p.evaluate(() => document.querySelector('tc-dashboard-list')!.shadowRoot!.activeElement?.getAttribute('data-id'))).toBe('team_board');
    await p.keyboard.press('Enter');
    await waitForEvent(p, 'tc-dashboard-select');
    expect((await events(p)).filter((e) => e.type === 'tc-dashboard-select').map((e) => e.detail)).toEqual([{ id: 'team_board', source: 'saved', editable: true }]);
    expect((await entries(p)).filter((e) => e.current === 'page').map((e) => e.id)).toEqual(['team_board']);
    expect(await p.locator('tc-dashboard-list').getAttribute('selected')).toBe('team_board');
    await p.keyboard.press('End');
    await p.keyboard.press(' ');
    await waitForEvent(p, 'tc-dashboard-select', 2);
    expect((await events(p)).filter((e) => e.type === 'tc-dashboard-select').at(-1)?.detail).toEqual({ id: 'legacy', source: 'saved', editable: false });
    // Only one entry is ever in the Tab order.
    expect((await entries(p)).filter((e) => e.tabIndex === 0).map((e) => e.id)).toEqual(['legacy']);
  });

  it('offers New dashboard only when the token may create, and fires tc-dashboard-create', async () => {
    server.dashboardList = makerList();
    const p = await mount();
    await p.locator('tc-dashboard-list button.create').click();
    await waitForEvent(p, 'tc-dashboard-create');
    expect((await events(p)).filter((e) => e.type === 'tc-dashboard-create').map((e) => e.detail)).toEqual([{}]);
    await p.close();
    server.dashboardList = { ...makerList(), canCreate: false };
    const viewer = await mount();
    expect(await viewer.locator('tc-dashboard-list button.item').count()).toBe(4);
    expect(await viewer.locator('tc-dashboard-list button.create').count()).toBe(0);
  });

  it('shows a search box above eight dashboards and filters by title and description', async () => {
    const many: DashboardListResponse['dashboards'] = Array.from({ length: 12 }, (_, i) => ({ id: `d${i}`, title: `Report ${i}`, source: 'model' as const, editable: false }));
    many.push({ id: 'churn', title: 'Customer churn', description: 'Cancellations by month', source: 'model', editable: false });
    server.dashboardList = { dashboards: many, canCreate: false };
    const p = await mount();
    const search = p.locator('tc-dashboard-list input[type="search"]');
    await search.fill('cancel');
    await expect.poll(async () => (await entries(p)).map((e) => e.id)).toEqual(['churn']);
    await search.fill('nothing like this');
    await p.locator('tc-dashboard-list [part="no-match"]').waitFor();
    expect(await entries(p)).toEqual([]);
    await p.close();
    server.dashboardList = makerList();
    const few = await mount();
    expect(await few.locator('tc-dashboard-list input[type="search"]').count()).toBe(0);
  });

  it('shows the skeleton while loading, then the empty state with New dashboard for a maker', async () => {
    server.dashboardList = { dashboards: [], canCreate: true };
    server.delays.set('list', 800);
    const p = await mount({ waitFor: 'none' });
    await p.locator('tc-dashboard-list [part="skeleton"]').waitFor();
    expect(await p.locator('tc-dashboard-list nav').getAttribute('aria-busy')).toBe('true');
    await waitForEvent(p, 'tc-ready');
    expect(await p.locator('tc-dashboard-list [part="empty"] p').textContent()).toBe('No dashboards yet.');
    expect(await p.locator('tc-dashboard-list [part="empty"] button.create').textContent()).toBe('New dashboard');
    expect((await events(p)).find((e) => e.type === 'tc-ready')?.detail).toMatchObject({ component: 'dashboard-list', count: 0 });
    await p.close();
    server.delays.clear();
    server.dashboardList = { dashboards: [], canCreate: false };
    const viewer = await mount();
    expect(await viewer.locator('tc-dashboard-list [part="empty"]').textContent()).toContain('No dashboards yet.');
    expect(await viewer.locator('tc-dashboard-list button').count()).toBe(0);
  });

  it('shows an error in plain words with Retry and the code in small print, fires tc-error, and recovers', async () => {
    server.failures.set('list', 'store_unavailable');
    const p = await mount({ waitFor: 'tc-error' });
    const error = p.locator('tc-dashboard-list [part="error"]');
    expect(await error.locator('.sentence').textContent()).toBe('The data is temporarily unavailable.');
    expect(await error.locator('small').textContent()).toBe('Code store_unavailable · request req-list-failed');
    expect(await error.textContent()).not.toContain('Fixture:');
    expect((await events(p)).find((e) => e.type === 'tc-error')?.detail).toEqual({ code: 'store_unavailable', message: 'Fixture: store_unavailable', requestId: 'req-list-failed' });
    server.failures.clear();
    await error.locator('button.retry').click();
    await waitForEvent(p, 'tc-ready');
    expect((await entries(p)).map((e) => e.id)).toEqual(['sales', 'ops', 'trend']);
  });

  it('reports token_missing when no credentials arrive', async () => {
    server.requests.length = 0;
    const p = await browser.newPage();
    page = p;
    await p.goto(server.url);
    await p.waitForFunction(() => customElements.get('tc-dashboard-list') !== undefined);
    const detail = await p.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          document.addEventListener('tc-error', (e) => resolve((e as CustomEvent).detail), { once: true });
          document.body.append(document.createElement('tc-dashboard-list'));
        }),
    );
    expect(detail).toMatchObject({ code: 'token_missing' });
    expect(await p.locator('tc-dashboard-list [data-code="token_missing"]').count()).toBe(1);
    expect(server.requests.some((r) => r.path === '/v1/dashboards')).toBe(false);
  });

  it('reloads by itself when a dashboard reports a save or a delete, and on refresh(), keeping the entries on screen', async () => {
    server.dashboardList = makerList();
    const p = await mount();
    const before = server.requests.filter((r) => r.path === '/v1/dashboards').length;
    server.dashboardList = { ...makerList(), dashboards: [...makerList().dashboards, { id: 'fresh', title: 'Fresh board', source: 'saved', version: 1, updatedAt: new Date().toISOString(), editable: true }] };
    server.delays.set('list', 400);
    // As <tc-dashboard>'s editor sends it: bubbling and composed, from inside the page.
    await p.evaluate(() => document.body.dispatchEvent(new CustomEvent('tc-dashboard-saved', { detail: { id: 'fresh', version: 1 }, bubbles: true, composed: true })));
    // While the new list loads, the old entries stay (no skeleton flash).
    await p.waitForTimeout(100);
    expect(await p.locator('tc-dashboard-list [part="skeleton"]').count()).toBe(0);
    expect(await p.locator('tc-dashboard-list button.item').count()).toBe(4);
    await waitForEvent(p, 'tc-ready', 2);
    expect((await entries(p)).map((e) => e.id)).toContain('fresh');
    expect(await p.locator('tc-dashboard-list button[data-id="fresh"] time').textContent()).toBe('Updated now');
    server.delays.clear();
    server.dashboardList = makerList();
    await p.evaluate(() => document.dispatchEvent(new CustomEvent('tc-dashboard-deleted', { detail: { id: 'fresh' } })));
    await waitForEvent(p, 'tc-ready', 3);
    expect((await entries(p)).map((e) => e.id)).not.toContain('fresh');
    await p.evaluate(() => document.querySelector('tc-dashboard-list')!.refresh());
    await waitForEvent(p, 'tc-ready', 4);
    expect(server.requests.filter((r) => r.path === '/v1/dashboards').length).toBe(before + 3);
  });

  it('stops listening once removed from the page', async () => {
    server.dashboardList = makerList();
    const p = await mount();
    await p.evaluate(() => document.querySelector('tc-dashboard-list')!.remove());
    const before = server.requests.filter((r) => r.path === '/v1/dashboards').length;
    await p.evaluate(() => document.dispatchEvent(new CustomEvent('tc-dashboard-saved', { detail: { id: 'x' } })));
    await p.waitForTimeout(200);
    expect(server.requests.filter((r) => r.path === '/v1/dashboards').length).toBe(before);
  });
});

interface Violation {
  id: string;
  impact: string | null;
  targets: string[];
}

async function seriousViolations(p: Page): Promise<Violation[]> {
  await p.addScriptTag({ path: AXE_SOURCE });
  return p.evaluate(async () => {
    type AxeResult = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[]; html: string }> }> };
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.html}`) }));
  });
}

describe('axe-core on <tc-dashboard-list>', () => {
  for (const theme of ['light', 'dark']) {
    it(`finds no serious or critical violation: ${theme}, loaded (with search), empty and failed`, async () => {
      const many = Array.from({ length: 9 }, (_, i) => ({ id: `d${i}`, title: `Report ${i}`, description: 'Monthly figures', source: 'model' as const, editable: false }));
      server.dashboardList = { dashboards: [...many, ...makerList().dashboards.filter((d) => d.source === 'saved')], canCreate: true };
      const loaded = await mount({ theme, selected: 'team_board' });
      expect(await loaded.locator('tc-dashboard-list input[type="search"]').count()).toBe(1);
      expect(await seriousViolations(loaded)).toEqual([]);
      await loaded.close();
      server.dashboardList = { dashboards: [], canCreate: true };
      const empty = await mount({ theme });
      expect(await seriousViolations(empty)).toEqual([]);
      await empty.close();
      server.failures.set('list', 'query_timeout');
      const failed = await mount({ theme, waitFor: 'tc-error' });
      expect(await seriousViolations(failed)).toEqual([]);
    });
  }
});
