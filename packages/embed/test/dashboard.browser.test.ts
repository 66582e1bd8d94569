import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildEmbed } from '../build.js';
import type { EmbedManifest } from '../src/server-assets.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';
import { EMPTY_RANGE, isComparisonRequest, startFixtureServer, XSS_VALUE, type FixtureServer } from './fixture-server.js';

let distDir: string;
let manifest: EmbedManifest;
let server: FixtureServer;
let browser: LaunchedBrowser;
let page: Page;
let dialogs: string[];

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-embed-dist-'));
  manifest = await buildEmbed({ outdir: distDir });
  server = await startFixtureServer({ distDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(distDir, { recursive: true, force: true });
});

async function openPage(): Promise<Page> {
  server.requests.length = 0;
  server.delays.clear();
  server.failures.clear();
  page = await browser.newPage();
  dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(server.url);
  await page.waitForFunction(() => customElements.get('tc-dashboard') !== undefined);
  return page;
}

afterEach(async () => {
  await page?.close();
});

interface MountOptions {
  dashboard?: string;
  token?: string;
  fetchTokenReturns?: string;
  /** fetchToken rejects (the host's own session ended). */
  fetchTokenFails?: boolean;
  theme?: string;
  style?: string;
  /** Resolve on this event instead of tc-ready. */
  waitFor?: 'tc-ready' | 'tc-error';
}

/** Create a `<tc-dashboard>` in the page and resolve with the event log once `waitFor` fires. */
async function mount(p: Page, options: MountOptions): Promise<Array<{ type: string; detail: unknown }>> {
  return p.evaluate(
    (o) =>
      new Promise<Array<{ type: string; detail: unknown }>>((resolve) => {
        const log: Array<{ type: string; detail: unknown }> = [];
        const w = window as unknown as { __events: typeof log; __fetchTokenCalls: number };
        w.__events = log;
        w.__fetchTokenCalls = 0;
        const el = document.createElement('tc-dashboard');
        for (const type of ['tc-ready', 'tc-error', 'tc-token-expired']) {
          // Listen on document: the events must bubble out of the element.
          document.addEventListener(type, (e) => {
            log.push({ type, detail: (e as CustomEvent).detail });
            if (type === (o.waitFor ?? 'tc-ready')) resolve(log);
          });
        }
        if (o.token) el.setAttribute('token', o.token);
        if (o.theme) el.setAttribute('theme', o.theme);
        if (o.style) el.setAttribute('style', o.style);
        if (o.fetchTokenReturns) {
          const fresh = o.fetchTokenReturns;
          el.fetchToken = async () => {
            w.__fetchTokenCalls++;
            return fresh;
          };
        }
        if (o.fetchTokenFails) el.fetchToken = () => Promise.reject(new Error('host session gone'));
        el.setAttribute('dashboard', o.dashboard ?? 'sales');
        document.body.append(el);
      }),
    options,
  );
}

const tileStatuses = (p: Page) =>
  p.$$eval('tc-dashboard >> section.tile', (tiles) => Object.fromEntries(tiles.map((t) => [t.getAttribute('data-chart'), t.getAttribute('data-status')])));

/**
 * Read a tile's live Chart.js instance. Importing the chart chunk by its URL yields the same
 * module instance the component loaded, so `Chart.getChart(canvas)` finds the real chart.
 */
async function chartState(p: Page, chart: string): Promise<{ tooltipTitle: string[]; tooltipBody: string[]; tickColor: unknown; legendColor: unknown }> {
  return p.evaluate(
    async ({ chunk, chart }) => {
      type ChartLike = {
        tooltip: { title?: string[]; body?: Array<{ lines: string[] }> };
        options: { scales?: { x?: { ticks?: { color?: unknown } } }; plugins?: { legend?: { labels?: { color?: unknown } } } };
      };
      // Built from a string: the test runner would otherwise rewrite `import()` for Node.
      const load = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
      const module = (await load(`/embed/${chunk}`)) as { Chart: { getChart(canvas: HTMLCanvasElement): ChartLike | undefined } };
      const root = document.querySelector('tc-dashboard')!.shadowRoot!;
      const canvas = root.querySelector(`section[data-chart="${chart}"] tc-chart`)!.shadowRoot!.querySelector('canvas')!;
      const instance = module.Chart.getChart(canvas)!;
      return {
        tooltipTitle: instance.tooltip.title ?? [],
        tooltipBody: (instance.tooltip.body ?? []).flatMap((b) => b.lines),
        tickColor: instance.options.scales?.x?.ticks?.color,
        legendColor: instance.options.plugins?.legend?.labels?.color,
      };
    },
    { chunk: manifest.chartFiles[0]!, chart },
  );
}

describe('<tc-dashboard> in Chromium', () => {
  it('renders every permitted tile from the API, with ARIA, and never queries a forbidden chart', async () => {
    const p = await openPage();
    const events = await mount(p, { token: 'valid-1' });
    expect(events.find((e) => e.type === 'tc-ready')?.detail).toMatchObject({ dashboard: 'sales' });
    expect(await tileStatuses(p)).toEqual({
      revenue_total: 'ready',
      revenue_by_region: 'ready',
      revenue_by_month: 'ready',
      top_customers: 'ready',
      margin: 'forbidden',
    });
    expect(await p.locator('tc-dashboard .kpi').textContent()).toBe('$2,301');
    expect(await p.locator('tc-dashboard table tbody tr').count()).toBe(3);
    expect(await p.locator('tc-dashboard tc-chart canvas').count()).toBe(2);
    const tile = p.locator('tc-dashboard section[data-chart="revenue_by_region"]');
    expect(await tile.getAttribute('role')).toBe('region');
    expect(await tile.getAttribute('aria-label')).toBe('Revenue by region');
    expect(await tile.getAttribute('aria-busy')).toBe('false');
    expect(await tile.getAttribute('tabindex')).toBe('0');
    // One request for all tiles, naming no chart: Perch picks the permitted ones with the same
    // rule as the definition, so the forbidden chart is never asked for.
    const tileRequests = server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r));
    expect(tileRequests.map((r) => r.body)).toEqual([{ include: ['session', 'definition'] }]);
    expect(server.requests.filter((r) => r.path === '/v1/query')).toEqual([]);
    // The token travels only in the Authorization header.
    expect(server.requests.every((r) => r.authorization === 'Bearer valid-1' && !r.path.includes('valid-1'))).toBe(true);
    await expect.poll(() => p.locator('tc-dashboard .picker[data-member="region"] input[type="checkbox"]').count()).toBe(3);
  });

  it('draws a KPI with a time dimension as its latest month, the change against the month before and a sparkline', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1', dashboard: 'trend' });
    const tile = p.locator('tc-dashboard section[data-chart="revenue_trend"]');
    // Fixture months: Jan 100, Feb 200, Mar 300 (returned in that order, sorted by the view anyway).
    expect(await tile.locator('.kpi').textContent()).toBe('$300');
    expect(await tile.locator('.kpi-period').textContent()).toBe('Mar 2025');
    expect((await tile.locator('.kpi-change').textContent())?.replace(/\s+/g, ' ').trim()).toBe('▲ Up 50.0% vs Feb 2025');
    const line = tile.locator('svg.sparkline');
    expect(await line.getAttribute('role')).toBe('img');
    expect(await line.getAttribute('aria-label')).toBe('Revenue from Jan 2025 ($100) to Mar 2025 ($300)');
    const points = (await line.locator('polyline').getAttribute('points'))!.split(' ');
    expect(points).toEqual(['0.00,26.00', '50.00,14.00', '100.00,2.00']);
    const box = await line.boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    // Screenshots to look at (git-ignored): a wide light page and a phone in dark.
    const shots = resolve(dirname(fileURLToPath(import.meta.url)), '../../../test-artifacts/dashboard-screens');
    await mkdir(shots, { recursive: true });
    await p.close();
    for (const [width, height, theme] of [[1440, 900, 'light'], [390, 844, 'dark']] as const) {
      const shot = await openPage();
      await shot.setViewportSize({ width, height });
      await mount(shot, { token: 'valid-1', dashboard: 'trend', theme });
      await shot.screenshot({ path: join(shots, `trend-kpi-${width}-${theme}.png`) });
      await shot.close();
    }
  });

  it('renders a hostile dimension value as text: no element, no script, no dialog', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const cells = await p.locator('tc-dashboard table td').allTextContents();
    expect(cells).toContain(XSS_VALUE);
    const option = p.locator('tc-dashboard .picker[data-member="region"] li label', { hasText: 'onerror' });
    expect(await option.textContent()).toBe(XSS_VALUE);
    // Hover the bar chart so Chart.js draws its tooltip for every bar, including the hostile one.
    const box = await p.locator('tc-dashboard section[data-chart="revenue_by_region"] tc-chart').boundingBox();
    expect(box).not.toBeNull();
    const seenTitles = new Set<string>();
    for (let x = 0.1; x < 1; x += 0.1) {
      await p.mouse.move(box!.x + box!.width * x, box!.y + box!.height * 0.7);
      for (const title of (await chartState(p, 'revenue_by_region')).tooltipTitle) seenTitles.add(title);
    }
    // The hostile value did reach the tooltip, as canvas text.
    expect(seenTitles.has(XSS_VALUE)).toBe(true);
    await p.waitForTimeout(200);
    const imgCount = await p.evaluate(() => {
      const root = document.querySelector('tc-dashboard')!.shadowRoot!;
      const charts = Array.from(root.querySelectorAll('tc-chart')).map((c) => c.shadowRoot!.querySelectorAll('img').length);
      return root.querySelectorAll('img').length + document.querySelectorAll('img').length + charts.reduce((a, b) => a + b, 0);
    });
    expect(imgCount).toBe(0);
    expect(await p.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  it('on 401 token_expired calls fetchToken, retries once with the new token, and no tile fails', async () => {
    const p = await openPage();
    const events = await mount(p, { token: 'expired-1', fetchTokenReturns: 'valid-2' });
    expect(events.some((e) => e.type === 'tc-token-expired')).toBe(true);
    expect(events.some((e) => e.type === 'tc-error')).toBe(false);
    expect(await p.evaluate(() => (window as unknown as { __fetchTokenCalls: number }).__fetchTokenCalls)).toBe(1);
    const statuses = await tileStatuses(p);
    expect(Object.values(statuses).filter((s) => s === 'error')).toEqual([]);
    expect(statuses.revenue_total).toBe('ready');
    // The first load is one request (session and definition ride on the tiles stream): it was
    // refused once with the expired token and retried once with the new one.
    const tiles = server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r)).map((r) => r.authorization);
    expect(tiles).toEqual(['Bearer expired-1', 'Bearer valid-2']);
    expect(server.requests.filter((r) => r.path === '/v1/embed/session' || r.path === '/v1/dashboards/sales')).toEqual([]);
  });

  it('emits tc-error with the server code, requestId and chart, and names the code in the tile', async () => {
    const p = await openPage();
    const events = await mount(p, { token: 'valid-1', dashboard: 'ops', waitFor: 'tc-error' });
    expect(events.find((e) => e.type === 'tc-error')?.detail).toEqual({
      code: 'rls_attribute_missing',
      message: 'Fixture: rls_attribute_missing',
      requestId: 'req-rls-1',
      chart: 'needs_department',
    });
    await p.locator('tc-dashboard [data-code="rls_attribute_missing"]').waitFor();
    expect(await p.locator('tc-dashboard .tile .error').textContent()).toContain('rls_attribute_missing');
  });

  it('waits for the host page\'s own scripts before deciding the token is missing', async () => {
    // The host's module script that sets fetchToken arrives well after Perch's script has
    // upgraded the element already in the HTML: no token_missing may be reported meanwhile.
    const p = await browser.newPage();
    page = p;
    server.requests.length = 0;
    await p.route(`${server.url}/late-host`, (route) =>
      route.fulfill({
        contentType: 'text/html; charset=utf-8',
        body: '<!doctype html><html><head><script type="module" src="/embed/perch.js"></script><script type="module" src="/late-host.js"></script></head><body><tc-dashboard dashboard="sales"></tc-dashboard></body></html>',
      }),
    );
    await p.route(`${server.url}/late-host.js`, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.fulfill({ contentType: 'text/javascript', body: 'document.querySelector("tc-dashboard").fetchToken = async () => "valid-late";' });
    });
    await p.addInitScript(() => {
      const log: string[] = [];
      (window as unknown as { __events: string[] }).__events = log;
      for (const type of ['tc-ready', 'tc-error']) document.addEventListener(type, (e) => log.push(`${type}:${String((e as CustomEvent<{ code?: string }>).detail?.code ?? '')}`));
    });
    await p.goto(`${server.url}/late-host`);
    await p.waitForFunction(() => (window as unknown as { __events: string[] }).__events.some((e) => e.startsWith('tc-ready')));
    expect(await p.evaluate(() => (window as unknown as { __events: string[] }).__events.filter((e) => e.startsWith('tc-error')))).toEqual([]);
    expect(server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r)).map((r) => r.authorization)).toEqual(['Bearer valid-late']);
  });

  it('emits tc-error token_missing when neither token nor fetchToken is set', async () => {
    const p = await openPage();
    const events = await mount(p, { waitFor: 'tc-error' });
    expect(events[0]).toMatchObject({ type: 'tc-error', detail: { code: 'token_missing' } });
    expect(server.requests).toEqual([]);
  });

  it('aborts the in-flight tile request when a filter changes and renders the newer result', async () => {
    const p = await openPage();
    server.delays.set('last 12 months', 3_000);
    // Record every fetch's AbortSignal in the page, before the element binds fetch.
    await p.evaluate(() => {
      const w = window as unknown as { __signals: Array<{ url: string; body: string; signal: AbortSignal | null | undefined }> };
      w.__signals = [];
      const original = window.fetch;
      window.fetch = (input, init) => {
        w.__signals.push({ url: String(input), body: typeof init?.body === 'string' ? init.body : '', signal: init?.signal });
        return original(input, init);
      };
    });
    const ready = mount(p, { token: 'valid-1' });
    const isTiles = (r: { path: string; body: unknown }) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r);
    await expect.poll(() => server.requests.filter(isTiles).length).toBe(1);
    await p.locator('tc-dashboard select[name="dateRange"]').waitFor();
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption('last 7 days');
    const events = await ready;
    expect(events.filter((e) => e.type === 'tc-ready')).toHaveLength(1);
    const signals = await p.evaluate(() =>
      (window as unknown as { __signals: Array<{ url: string; body: string; signal: AbortSignal | null | undefined }> }).__signals
        // The rounds, not the KPI's previous-period request that follows the last one.
        .filter((s) => s.url.endsWith('/tiles') && !s.body.includes('"charts"'))
        .map((s) => ({ hasSignal: s.signal instanceof AbortSignal, aborted: s.signal?.aborted ?? false })),
    );
    expect(signals).toEqual([
      { hasSignal: true, aborted: true },
      { hasSignal: true, aborted: false },
    ]);
    const rounds = server.requests.filter(isTiles);
    await expect.poll(() => rounds[0]!.aborted).toBe(true);
    expect(rounds.map((r) => r.body)).toEqual([{ include: ['session', 'definition'] }, { filters: { dateRange: 'last 7 days' } }]);
    expect(await tileStatuses(p)).toMatchObject({ revenue_total: 'ready', top_customers: 'ready' });
  });

  it('loads with one request (session, definition and tiles), and asks for picker values only once the tiles are in', async () => {
    const p = await openPage();
    server.delays.set('definition', 300);
    server.delays.set('last 12 months', 400);
    await mount(p, { token: 'valid-1' });
    const first = server.requests.filter((r) => !r.path.startsWith('/v1/dashboards/sales/filter-values') && !isComparisonRequest(r));
    expect(first.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/v1/dashboards/sales/tiles', { include: ['session', 'definition'] }]]);
    // tc-ready fires once the tiles are in; the picker look-up starts after that, so wait for it.
    const isValues = (r: { path: string }) => r.path.startsWith('/v1/dashboards/sales/filter-values');
    await expect.poll(() => server.requests.some(isValues)).toBe(true);
    const values = server.requests.find(isValues)!;
    // The picker look-up waits for the (delayed) definition and tiles.
    expect(values.receivedAt - first[0]!.receivedAt).toBeGreaterThanOrEqual(700);
    expect(await tileStatuses(p)).toMatchObject({ revenue_total: 'ready', top_customers: 'ready' });
  });

  it('applies theme variables, the dark theme and ::part() styles', async () => {
    const p = await openPage();
    await p.addStyleTag({ content: 'tc-dashboard::part(tile) { border-color: rgb(0, 128, 0); }' });
    await mount(p, { token: 'valid-1', theme: 'dark', style: '--tc-accent: rgb(255, 0, 0); --tc-radius: 3px' });
    const styles = await p.evaluate(() => {
      const host = document.querySelector('tc-dashboard')!;
      const root = host.shadowRoot!;
      const tile = root.querySelector('section.tile')!;
      return {
        kpiColor: getComputedStyle(root.querySelector('.kpi')!).color,
        hostBg: getComputedStyle(host).backgroundColor,
        tileRadius: getComputedStyle(tile).borderTopLeftRadius,
        tileBorder: getComputedStyle(tile).borderTopColor,
      };
    });
    expect(styles).toEqual({ kpiColor: 'rgb(255, 0, 0)', hostBg: 'rgb(20, 23, 28)', tileRadius: '3px', tileBorder: 'rgb(0, 128, 0)' });
  });

  it('paints charts from the theme: tick and legend colours follow the theme attribute', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1', theme: 'dark' });
    const dark = await chartState(p, 'revenue_by_month');
    expect(dark).toMatchObject({ tickColor: '#9aa5b1', legendColor: '#e7eaee' });
    await p.evaluate(() => document.querySelector('tc-dashboard')!.setAttribute('theme', 'light'));
    await expect.poll(async () => (await chartState(p, 'revenue_by_month')).tickColor).toBe('#5f6b7a');
    expect((await chartState(p, 'revenue_by_month')).legendColor).toBe('#1b1f24');
    // The canvas was updated in place, not duplicated.
    expect(await p.locator('tc-dashboard section[data-chart="revenue_by_month"] canvas').count()).toBe(1);
  });

  it('draws every chart kind Perch uses with the registered Chart.js pieces (doughnut, filled line, bar)', async () => {
    const p = await openPage();
    const drawn = await p.evaluate(async (chunk) => {
      const load = new Function('url', 'return import(url)') as (url: string) => Promise<unknown>;
      type ChartModule = { Chart: { getChart(c: HTMLCanvasElement): { config: { type: string } } | undefined; registry: { getPlugin(id: string): unknown } } };
      const { Chart } = (await load(`/embed/${chunk}`)) as ChartModule;
      const data = { labels: ['a', 'b'], datasets: [{ label: 'm', data: [1, 2], fill: 'origin' }] };
      const results: Array<{ type: string; drawn: string | undefined; failed: boolean }> = [];
      for (const type of ['doughnut', 'line', 'bar']) {
        const el = document.createElement('tc-chart');
        el.style.cssText = 'display:block;width:300px;height:200px';
        el.option = { type, data, options: { responsive: true, maintainAspectRatio: false, animation: false } } as unknown as typeof el.option;
        document.body.append(el);
        await el.updateComplete;
        await el.rendered;
        const canvas = el.shadowRoot!.querySelector('canvas')!;
        results.push({ type, drawn: Chart.getChart(canvas)?.config.type, failed: el.shadowRoot!.querySelector('[part="error"]') !== null });
      }
      // getPlugin throws for a plugin that was never registered.
      const plugins = ['filler', 'tooltip', 'legend'].map((id) => Chart.registry.getPlugin(id) !== undefined);
      return { results, plugins };
    }, manifest.chartFiles[0]!);
    expect(drawn.results).toEqual([
      { type: 'doughnut', drawn: 'doughnut', failed: false },
      { type: 'line', drawn: 'line', failed: false },
      { type: 'bar', drawn: 'bar', failed: false },
    ]);
    expect(drawn.plugins).toEqual([true, true, true]);
  });

  it('is keyboard reachable: filters are native controls, then tiles are focusable in order', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const focused = async () =>
      p.evaluate(() => {
        const active = document.querySelector('tc-dashboard')!.shadowRoot!.activeElement;
        return active ? `${active.tagName.toLowerCase()}:${active.getAttribute('name') ?? active.getAttribute('data-chart') ?? ''}` : '';
      });
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('select:dateRange');
    // A date input has one stop per field (day, month, year): Tab through each control.
    const tabUntilLeaving = async (current: string) => {
      for (let i = 0; i < 6 && (await focused()) === current; i++) await p.keyboard.press('Tab');
      return focused();
    };
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('input:dateFrom');
    expect(await tabUntilLeaving('input:dateFrom')).toBe('input:dateTo');
    // The region picker's disclosure button.
    expect(await tabUntilLeaving('input:dateTo')).toBe('summary:');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('section:revenue_total');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('button:'); // the tile's CSV export button
    const label = () => p.evaluate(() => document.querySelector('tc-dashboard')!.shadowRoot!.activeElement!.getAttribute('aria-label'));
    expect(await label()).toBe('Export Revenue as CSV');
    await p.keyboard.press('Tab');
    expect(await label()).toBe('Show Revenue full screen');
    await p.keyboard.press('Tab');
    expect(await focused()).toBe('section:revenue_by_region');
  });

  it('is light by default even when the OS is dark (a light host page stays light)', async () => {
    const p = await openPage();
    await p.emulateMedia({ colorScheme: 'dark' });
    await mount(p, { token: 'valid-1' });
    expect(await p.evaluate(() => document.querySelector('tc-dashboard')!.getAttribute('theme'))).toBe('light');
    expect(await p.evaluate(() => getComputedStyle(document.querySelector('tc-dashboard')!).backgroundColor)).toBe('rgb(255, 255, 255)');
    expect((await chartState(p, 'revenue_by_region')).tickColor).toBe('#5f6b7a');
  });

  it('follows prefers-color-scheme with theme="auto", and resizes charts with their tile', async () => {
    const p = await openPage();
    await p.emulateMedia({ colorScheme: 'dark' });
    await p.setViewportSize({ width: 1200, height: 900 });
    await mount(p, { token: 'valid-1', theme: 'auto' });
    expect(await p.evaluate(() => getComputedStyle(document.querySelector('tc-dashboard')!).backgroundColor)).toBe('rgb(20, 23, 28)');
    const canvas = p.locator('tc-dashboard section[data-chart="revenue_by_region"] canvas');
    const wide = (await canvas.boundingBox())!.width;
    await p.setViewportSize({ width: 700, height: 900 });
    await expect.poll(async () => (await canvas.boundingBox())!.width).toBeLessThan(wide * 0.8);
    // The canvas is repainted when the OS scheme flips, not only the HTML around it.
    expect((await chartState(p, 'revenue_by_region')).tickColor).toBe('#9aa5b1');
    await p.emulateMedia({ colorScheme: 'light' });
    await expect.poll(async () => (await chartState(p, 'revenue_by_region')).tickColor).toBe('#5f6b7a');
  });

  it('loads Chart.js only for chart tiles and the assistant panel only when used', async () => {
    const p = await openPage();
    const loaded: string[] = [];
    p.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (path.startsWith('/embed/')) loaded.push(path.slice('/embed/'.length));
    });
    await mount(p, { token: 'valid-1', dashboard: 'ops', waitFor: 'tc-error' });
    expect(loaded.some((f) => f.startsWith('chartjs-setup.'))).toBe(false);
    expect(loaded.some((f) => f.startsWith('assistant-panel.'))).toBe(false);
    await p.evaluate(() => document.body.append(document.createElement('tc-ai-assistant')));
    // The panel's element is defined by its lazily loaded chunk.
    await p.waitForFunction(() => customElements.get('tc-ai-assistant-panel') !== undefined);
    expect(loaded.some((f) => f.startsWith('assistant-panel.'))).toBe(true);
    // A dashboard with chart tiles does fetch the chart chunk (so the check above is not vacuous).
    await mount(p, { token: 'valid-1', dashboard: 'sales' });
    expect(loaded.some((f) => f.startsWith('chartjs-setup.'))).toBe(true);
  });

  it('exports CSV through fetch with the Authorization header and the current filters', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const download = p.waitForEvent('download');
    await p.locator('tc-dashboard section[data-chart="top_customers"] button[part="export-button"]').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('sales-top_customers.csv');
    const exportRequest = server.requests.find((r) => r.path === '/v1/export');
    expect(exportRequest).toMatchObject({
      authorization: 'Bearer valid-1',
      body: { dashboard: 'sales', chart: 'top_customers', filters: { dateRange: 'last 12 months' } },
    });
  });
});

describe('<tc-dashboard> states an end user sees', () => {
  const tileText = (p: Page, chart: string) => p.locator(`tc-dashboard section[data-chart="${chart}"] .tile-body`).innerText();

  it('draws the first-load skeleton inside its own tile box, never over the host page', async () => {
    const p = await openPage();
    await p.setViewportSize({ width: 1440, height: 900 });
    server.delays.set('definition', 1_500);
    // The page closes before this mount settles; its promise is not the subject here.
    mount(p, { token: 'valid-1' }).catch(() => undefined);
    const skeleton = p.locator('tc-dashboard [part="skeleton"]');
    await skeleton.waitFor();
    const box = (await skeleton.boundingBox())!;
    const tile = (await p.locator('tc-dashboard section.tile').first().boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(tile.x);
    expect(box.y).toBeGreaterThanOrEqual(tile.y);
    expect(box.x + box.width).toBeLessThanOrEqual(tile.x + tile.width);
    expect(box.y + box.height).toBeLessThanOrEqual(tile.y + tile.height);
    expect(box.height).toBeLessThan(900 / 2);
  });

  it('labels table headers with the model titles and formats money with its currency and two decimals', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const headers = await p.locator('tc-dashboard section[data-chart="top_customers"] th').allInnerTexts();
    expect(headers.map((h) => h.trim())).toEqual(['Region', 'Customer', 'Revenue']);
    const money = await p.locator('tc-dashboard section[data-chart="top_customers"] td.num').allTextContents();
    expect(money).toEqual(['$1,200.50', '$800.00', '$300.00']);
  });

  it('sorts a table by a click on its header, with aria-sort, and by keyboard, without a query', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const table = p.locator('tc-dashboard section[data-chart="top_customers"]');
    const column = (n: number) => table.locator(`tbody tr td:nth-child(${n})`).allTextContents();
    const ariaSort = () => table.locator('th').evaluateAll((ths) => ths.map((th) => th.getAttribute('aria-sort')));
    // The KPIs' previous-period request may still arrive after tc-ready; sorting itself sends none.
    const queries = () => server.requests.filter((r) => !isComparisonRequest(r)).length;
    const before = queries();
    expect(await ariaSort()).toEqual(['none', 'none', 'none']);
    await table.locator('th button', { hasText: 'Revenue' }).click();
    expect(await ariaSort()).toEqual(['none', 'none', 'descending']);
    expect(await column(3)).toEqual(['$1,200.50', '$800.00', '$300.00']);
    await table.locator('th button', { hasText: 'Revenue' }).click();
    expect(await ariaSort()).toEqual(['none', 'none', 'ascending']);
    expect(await column(3)).toEqual(['$300.00', '$800.00', '$1,200.50']);
    // Keyboard: the header is a button; Enter sorts by it.
    await table.locator('th button', { hasText: 'Customer' }).focus();
    await p.keyboard.press('Enter');
    expect(await ariaSort()).toEqual(['none', 'ascending', 'none']);
    expect(await column(2)).toEqual(['acme', 'globex', 'initech']);
    expect(queries()).toBe(before);
  });

  it('applies a custom date range from two date inputs, shows it as "Custom range", and names it in the empty state', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const isTiles = (r: { path: string; body: unknown }) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r);
    await p.locator('tc-dashboard input[name="dateFrom"]').fill('2025-01-01');
    // One date alone does not query.
    expect(server.requests.filter(isTiles)).toHaveLength(1);
    await p.locator('tc-dashboard input[name="dateTo"]').fill('2025-03-31');
    await expect.poll(() => server.requests.filter(isTiles).at(-1)?.body).toEqual({ filters: { dateRange: ['2025-01-01', '2025-03-31'] } });
    await expect.poll(() => p.locator('tc-dashboard select[name="dateRange"] option:checked').textContent()).toBe('Custom range');
    // An end before the start is refused in place, and sends nothing.
    const sent = server.requests.filter(isTiles).length;
    await p.locator('tc-dashboard input[name="dateTo"]').fill('2024-12-01');
    expect(await p.locator('tc-dashboard input[name="dateTo"]').getAttribute('aria-invalid')).toBe('true');
    expect(server.requests.filter(isTiles)).toHaveLength(sent);
    // Back to a preset.
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption(EMPTY_RANGE);
    await expect.poll(() => p.locator('tc-dashboard section[data-chart="revenue_total"] .tile-body').innerText()).toContain('No data for This month.');
    expect(await p.locator('tc-dashboard input[name="dateFrom"]').inputValue()).toBe('');
  });

  it('shows a tile full screen and back with Escape, saves a chart as PNG, and hides the buttons in print', async () => {
    const p = await openPage();
    await p.setViewportSize({ width: 1280, height: 800 });
    await mount(p, { token: 'valid-1' });
    const tile = p.locator('tc-dashboard section[data-chart="revenue_by_region"]');
    const normal = (await tile.boundingBox())!;
    await tile.locator('button.expand').click();
    const full = (await tile.boundingBox())!;
    expect([full.x, full.y, full.width, full.height]).toEqual([0, 0, 1280, 800]);
    expect(await tile.locator('button.expand').getAttribute('aria-label')).toBe('Close full screen Revenue by region');
    // The chart follows its tile's new size.
    await expect.poll(async () => (await tile.locator('canvas').boundingBox())!.width).toBeGreaterThan(normal.width);
    await p.keyboard.press('Escape');
    await expect.poll(async () => (await tile.boundingBox())!.width).toBe(normal.width);
    expect(await p.evaluate(() => document.querySelector('tc-dashboard')!.shadowRoot!.activeElement?.getAttribute('aria-label'))).toBe('Show Revenue by region full screen');

    const download = p.waitForEvent('download');
    await tile.locator('button.png').click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('sales-revenue_by_region.png');
    const bytes = await readFile((await file.path())!);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.byteLength).toBeGreaterThan(2_000);
    // KPI and table tiles have no PNG button.
    expect(await p.locator('tc-dashboard section[data-chart="revenue_total"] button.png').count()).toBe(0);

    await p.emulateMedia({ media: 'print' });
    expect(await tile.locator('.tile-actions').evaluate((e) => getComputedStyle(e).display)).toBe('none');
    expect(await tile.evaluate((e) => getComputedStyle(e).breakInside)).toBe('avoid');
    await p.emulateMedia({ media: 'screen' });
  });

  it('picks several values in a searchable multi-select picker, sends them with their types, and clears them', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const picker = p.locator('tc-dashboard .picker[data-member="region"]');
    await picker.locator('input[type="checkbox"]').first().waitFor({ state: 'attached' });
    await picker.locator('summary').click();
    await picker.locator('input[type="search"]').fill('em');
    await expect.poll(() => picker.locator('li label').allTextContents()).toEqual(['EMEA']);
    await picker.locator('input[value="EMEA"]').check();
    await picker.locator('input[type="search"]').fill('');
    await picker.locator('input[value="AMER"]').check();
    const isTiles = (r: { path: string; body: unknown }) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r);
    await expect.poll(() => server.requests.filter(isTiles).at(-1)?.body).toEqual({ filters: { dateRange: 'last 12 months', values: { region: ['EMEA', 'AMER'] } } });
    expect((await picker.locator('summary').innerText()).trim()).toBe('2 selected');
    // The other tiles show those two regions only: 1,200.50 + 800.
    await expect.poll(() => p.locator('tc-dashboard .kpi').textContent()).toBe('$2,001');
    await picker.locator('input[type="search"]').fill('zz');
    expect(await picker.locator('.picker-note').innerText()).toBe('No value matches.');
    await picker.locator('button', { hasText: 'Clear' }).click();
    await expect.poll(() => server.requests.filter(isTiles).at(-1)?.body).toEqual({ filters: { dateRange: 'last 12 months' } });
    expect((await picker.locator('summary').innerText()).trim()).toBe('All');
  });

  it('shows a KPI\'s change against the previous period of the same length, asked through the tiles route', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const change = p.locator('tc-dashboard section[data-chart="revenue_total"] .kpi-change');
    await change.waitFor();
    // The fixture's previous period holds half the revenue: +100%.
    expect((await change.innerText()).replace(/\s+/g, ' ').trim()).toBe('▲ Up 100.0% vs previous period');
    expect(await change.getAttribute('class')).toContain('up');
    const comparison = server.requests.find(isComparisonRequest)!;
    const now = new Date();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const from = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 24, 1)).toISOString().slice(0, 10);
    const to = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() - 12, 0)).toISOString().slice(0, 10);
    expect(comparison.body).toEqual({ charts: ['revenue_total'], filters: { dateRange: [from, to] } });
    // "All time" has no previous period: no request, no change line.
    const before = server.requests.filter(isComparisonRequest).length;
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption('');
    await expect.poll(() => change.count()).toBe(0);
    expect(server.requests.filter(isComparisonRequest)).toHaveLength(before);
  });

  it('shows a chart as its data table on demand (titles, formatted values) and back', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    const tile = p.locator('tc-dashboard section[data-chart="revenue_by_region"]');
    const button = tile.locator('button.data-table');
    expect(await button.getAttribute('aria-label')).toBe('Show Revenue by region as a table');
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    expect(await tile.locator('canvas').count()).toBe(0);
    expect((await tile.locator('th').allInnerTexts()).map((h) => h.trim())).toEqual(['Region', 'Revenue']);
    expect(await tile.locator('tbody tr').count()).toBe(3);
    expect(await tile.locator('td.num').allTextContents()).toEqual(['$1,200.50', '$800.00', '$300.00']);
    await button.click();
    await tile.locator('canvas').waitFor();
    expect(await tile.locator('table').count()).toBe(0);
  });

  it('shows "No data for <filters>" in every tile of an empty result, and Reset filters brings the data back', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption(EMPTY_RANGE);
    await p.locator('tc-dashboard section[data-chart="revenue_total"] .empty').waitFor();
    for (const chart of ['revenue_total', 'revenue_by_region', 'revenue_by_month', 'top_customers']) {
      await expect.poll(() => tileText(p, chart)).toContain('No data for This month.');
      expect(await tileText(p, chart)).toContain('Reset filters');
    }
    // No "—", no $0 axis, no header-only table.
    expect(await p.locator('tc-dashboard .kpi').count()).toBe(0);
    expect(await p.locator('tc-dashboard table').count()).toBe(0);
    await p.locator('tc-dashboard section[data-chart="revenue_total"] button', { hasText: 'Reset filters' }).click();
    await expect.poll(() => p.locator('tc-dashboard .kpi').textContent()).toBe('$2,301');
    expect(await p.locator('tc-dashboard select[name="dateRange"]').inputValue()).toBe('last 12 months');
  });

  it('names the picker value in the empty state', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    await p.locator('tc-dashboard .picker[data-member="region"] input[value="EMEA"]').waitFor({ state: 'attached' });
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption(EMPTY_RANGE);
    await p.locator('tc-dashboard .picker[data-member="region"] summary').click();
    await p.locator('tc-dashboard .picker[data-member="region"] input[value="EMEA"]').check();
    await expect.poll(() => tileText(p, 'revenue_total')).toContain('No data for This month, Region: EMEA.');
  });

  it('shows a failed tile as a sentence with Try again and the code behind Details, and the other tiles keep their numbers', async () => {
    const p = await openPage();
    server.failures.set('revenue_by_region', 'query_timeout');
    const events = await mount(p, { token: 'valid-1' });
    expect(events.find((e) => e.type === 'tc-error')?.detail).toMatchObject({ code: 'query_timeout', chart: 'revenue_by_region', requestId: 'req-revenue_by_region-failed' });
    const tile = p.locator('tc-dashboard section[data-chart="revenue_by_region"]');
    expect(await tile.locator('.sentence').innerText()).toBe('This took too long to load.');
    // The code and request id are there for support, but only behind "Details".
    expect(await tile.locator('.tile-body').innerText()).not.toContain('query_timeout');
    await tile.locator('summary', { hasText: 'Details' }).click();
    expect(await tile.locator('details').innerText()).toContain('query_timeout');
    expect(await tile.locator('details').innerText()).toContain('req-revenue_by_region-failed');
    // One tile failing blanks no other tile.
    expect(await p.locator('tc-dashboard .kpi').textContent()).toBe('$2,301');
    expect(await p.locator('tc-dashboard section[data-chart="top_customers"] tbody tr').count()).toBe(3);
    server.failures.clear();
    await tile.locator('button', { hasText: 'Try again' }).click();
    await expect.poll(() => tile.getAttribute('data-status')).toBe('ready');
    expect(await tile.locator('canvas').count()).toBe(1);
    const retry = server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r)).at(-1);
    expect(retry?.body).toEqual({ charts: ['revenue_by_region'], filters: { dateRange: 'last 12 months' } });
  });

  it('keeps the last good data on screen while a token is refreshed', async () => {
    const p = await openPage();
    await mount(p, { token: 'valid-1' });
    // The token lapses; the host's fetchToken answers only when the test says so.
    await p.evaluate(() => {
      const w = window as unknown as { __release?: () => void };
      const el = document.querySelector('tc-dashboard')!;
      el.fetchToken = () => new Promise<string>((resolve) => (w.__release = () => resolve('valid-2')));
      el.token = 'expired-1';
    });
    await p.locator('tc-dashboard select[name="dateRange"]').selectOption('last 30 days');
    await p.waitForFunction(() => typeof (window as unknown as { __release?: unknown }).__release === 'function');
    // During the refresh: the old numbers, not a skeleton and not an error.
    expect(await p.locator('tc-dashboard .kpi').textContent()).toBe('$2,301');
    expect(await p.locator('tc-dashboard section[data-chart="top_customers"] tbody tr').count()).toBe(3);
    expect(await p.locator('tc-dashboard [part="skeleton"]').count()).toBe(0);
    expect(await p.locator('tc-dashboard [part="error"]').count()).toBe(0);
    await p.evaluate(() => (window as unknown as { __release: () => void }).__release());
    await expect.poll(() => p.locator('tc-dashboard section[data-chart="revenue_total"]').getAttribute('data-status')).toBe('ready');
    const tiles = server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r)).map((r) => r.authorization);
    expect(tiles.slice(-2)).toEqual(['Bearer expired-1', 'Bearer valid-2']);
  });

  it('reports a failing fetchToken as token_fetch_failed with a sentence for the user', async () => {
    const p = await openPage();
    const events = await mount(p, { fetchTokenFails: true, waitFor: 'tc-error' });
    expect(events.find((e) => e.type === 'tc-error')?.detail).toMatchObject({ code: 'token_fetch_failed' });
    await p.locator('tc-dashboard [data-code="token_fetch_failed"]').waitFor();
    expect(await p.locator('tc-dashboard .sentence').innerText()).toBe('We could not sign you in to this dashboard.');
    expect(await p.locator('tc-dashboard button', { hasText: 'Try again' }).count()).toBe(1);
    expect(server.requests).toEqual([]);
  });

  it('is a single column with no horizontal overflow at 390 px', async () => {
    const p = await openPage();
    await p.setViewportSize({ width: 390, height: 844 });
    await mount(p, { token: 'valid-1' });
    const layout = await p.evaluate(() => {
      const host = document.querySelector('tc-dashboard')!;
      const grid = host.shadowRoot!.querySelector('.grid')!.getBoundingClientRect();
      const tiles = Array.from(host.shadowRoot!.querySelectorAll('section.tile')).map((t) => t.getBoundingClientRect());
      const overflowing = Array.from(host.shadowRoot!.querySelectorAll('.kpi, .tile-title, select')).filter((e) => e.scrollWidth > e.clientWidth + 1).length;
      return { scrollWidth: document.documentElement.scrollWidth, grid: grid.width, widths: tiles.map((t) => Math.round(t.width)), lefts: new Set(tiles.map((t) => Math.round(t.left))).size, overflowing };
    });
    expect(layout.scrollWidth).toBeLessThanOrEqual(390);
    expect(layout.lefts).toBe(1);
    for (const width of layout.widths) expect(width).toBe(Math.round(layout.grid));
    expect(layout.overflowing).toBe(0);
  });
});

describe('one token provider for the components of a page', () => {
  it('two dashboards sharing createTokenProvider mint one token', async () => {
    const p = await openPage();
    const calls = await p.evaluate(async () => {
      const load = new Function('url', 'return import(url)') as (url: string) => Promise<{ createTokenProvider: (f: () => Promise<string>) => (c?: { current: string | undefined }) => Promise<string> }>;
      const { createTokenProvider } = await load('/embed/perch.js');
      let minted = 0;
      const provider = createTokenProvider(async () => `valid-shared-${++minted}`);
      let ready = 0;
      await new Promise<void>((resolve) => {
        document.addEventListener('tc-ready', () => {
          if (++ready === 2) resolve();
        });
        for (let i = 0; i < 2; i++) {
          const el = document.createElement('tc-dashboard');
          el.fetchToken = provider;
          el.setAttribute('dashboard', 'sales');
          document.body.append(el);
        }
      });
      return minted;
    });
    expect(calls).toBe(1);
    const tiles = server.requests.filter((r) => r.path === '/v1/dashboards/sales/tiles' && !isComparisonRequest(r)).map((r) => r.authorization);
    expect(tiles).toEqual(['Bearer valid-shared-1', 'Bearer valid-shared-1']);
  });
});
