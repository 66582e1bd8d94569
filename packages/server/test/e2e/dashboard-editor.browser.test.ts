/**
 * The maker's dashboard editor inside `<tc-dashboard>`, on the real stack (real Perch, the demo
 * warehouse with other tenants' canaries, the demo host's origin, Chromium), clicked and typed
 * through as a maker would: create a dashboard with three tiles, move and resize, save, reload;
 * a viewer of the same tenant reads numbers equal to direct SQL; member rules; two makers saving
 * the same version; a keyboard-only path; the viewer's page never loads the editor's code;
 * axe-core on the editor, and screenshots of it at desktop and phone size in both themes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepHtml } from './deep-html.js';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { CANARIES, MODEL_DIR, mintToken, startEmbedStack, type EmbedStack } from './embed-stack.js';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Screenshots to look at (outside the repository's sources; git-ignored). */
const SHOTS = process.env.PERCH_EDITOR_SHOTS ?? join(tmpdir(), 'perch-editor-shots');

const CAROL = { distinctId: 'carol', role: 'maker', attributes: { customerId: 'initech', region: 'APAC', department: 'operations' } };
const IVAN = { distinctId: 'ivan', role: 'viewer', attributes: { customerId: 'initech', region: 'APAC', department: 'operations' } };
/** A maker of the same tenant in finance: the test's member rule shows "Largest order" to finance only. */
const FIONA = { distinctId: 'fiona', role: 'maker', attributes: { customerId: 'initech', region: 'APAC', department: 'finance' } };

let stack: EmbedStack;
let browser: LaunchedBrowser;
let modelDir: string;
let pageCount = 0;
/** A second host origin for pages holding any token (Chromium loads Perch from it as from any real page). */
let pages: Server;
let pagesUrl: string;
const pageBodies = new Map<string, string>();

beforeAll(async () => {
  // The demo model plus one attribute member rule, so a maker has a member hidden from them.
  modelDir = mkdtempSync(join(tmpdir(), 'perch-editor-model-'));
  const demo = readFileSync(join(MODEL_DIR, 'demo.yaml'), 'utf8');
  const anchor = '      margin_pct: { roles: [maker, admin] }\n';
  expect(demo).toContain(anchor);
  writeFileSync(join(modelDir, 'demo.yaml'), demo.replace(anchor, `${anchor}      largest_order: { attribute: { name: department, equals: finance } }\n`));
  stack = await startEmbedStack({ orders: 6_000, modelDir });
  pages = createServer((request, response) => {
    const body = pageBodies.get(request.url ?? '');
    response.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  const address = pages.address();
  pagesUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const origins = await fetch(`${stack.perch.url}/v1/workspace/origins`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ origins: [new URL(stack.host.url).origin, pagesUrl] }),
  });
  expect(origins.status).toBe(200);
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (pages ? pages.close(resolve) : resolve(undefined)));
  await stack?.close();
  rmSync(modelDir, { recursive: true, force: true });
});

interface PageEvents {
  saved: Array<{ id: string; version: number }>;
  deleted: Array<{ id: string }>;
  errors: Array<{ code: string }>;
  ready: number;
}

/**
 * A page of an origin Perch allows, holding one `<tc-dashboard>` with a token minted straight
 * through the API for any user and scope.
 */
async function openElement(token: string, attributes: string, options: { viewport?: { width: number; height: number }; theme?: string } = {}): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(options.viewport ?? { width: 1440, height: 900 });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const path = `/editor-e2e/${++pageCount}`;
  const theme = options.theme ?? 'light';
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Dashboard editor</title>
    <script type="module" src="${stack.perch.url}/embed/perch.js"></script></head>
    <body style="margin:24px;background:${theme === 'dark' ? '#0d0f12' : '#ffffff'}"><main>
    <tc-dashboard ${attributes} theme="${theme}" api-base="${stack.perch.url}" token="${token}"></tc-dashboard></main></body></html>`;
  pageBodies.set(path, body);
  await page.addInitScript(() => {
    const w = window as unknown as { __events: PageEvents };
    w.__events = { saved: [], deleted: [], errors: [], ready: 0 };
    document.addEventListener('tc-dashboard-saved', (e) => w.__events.saved.push((e as CustomEvent).detail));
    document.addEventListener('tc-dashboard-deleted', (e) => w.__events.deleted.push((e as CustomEvent).detail));
    document.addEventListener('tc-error', (e) => w.__events.errors.push((e as CustomEvent).detail));
    document.addEventListener('tc-ready', () => w.__events.ready++);
  });
  await page.goto(`${pagesUrl}${path}`);
  return page;
}

const events = (page: Page): Promise<PageEvents> => page.evaluate(() => (window as unknown as { __events: PageEvents }).__events);

async function waitForEditor(page: Page): Promise<void> {
  await page.locator('tc-dashboard input[name="dashboard-title"]').waitFor();
}

interface TileSpec {
  measures: string[];
  dimensions?: string[];
  type: 'kpi' | 'bar' | 'line' | 'area' | 'pie' | 'table';
  title: string;
}

/** The tile builder, with the mouse: dataset, members, type, title; waits for the live preview. */
async function addTile(page: Page, tile: TileSpec): Promise<void> {
  await page.locator('tc-dashboard button[name="add-tile"]').click();
  const builder = page.locator('tc-dashboard .builder');
  await builder.locator('select[name="dataset"]').selectOption('orders');
  for (const m of tile.measures) await builder.locator(`input[name="measures"][value="${m}"]`).check();
  for (const d of tile.dimensions ?? []) await builder.locator(`input[name="dimensions"][value="${d}"]`).check();
  await builder.locator(`input[name="chart-type"][value="${tile.type}"]`).check();
  await builder.locator('input[name="tile-title"]').fill(tile.title);
  await builder.locator('.preview-body[data-status="ready"]').waitFor({ timeout: 30_000 });
  await builder.locator('button[name="apply-tile"]').click();
  await builder.waitFor({ state: 'detached' });
}

async function cellOf(page: Page, chart: string): Promise<{ x: number; y: number; w: number; h: number }> {
  const tile = page.locator(`tc-dashboard .edit-tile[data-chart="${chart}"]`);
  const read = async (name: string) => Number(await tile.getAttribute(`data-${name}`));
  return { x: await read('x'), y: await read('y'), w: await read('w'), h: await read('h') };
}

/** Drag with the mouse from the centre of `handle` by whole grid cells. */
async function dragBy(page: Page, handle: string, columns: number, rows: number): Promise<void> {
  const grid = await page.locator('tc-dashboard .editor-grid').boundingBox();
  const box = await page.locator(handle).boundingBox();
  if (!grid || !box) throw new Error('grid or handle not laid out');
  const gap = 12;
  const column = (grid.width + gap) / 12;
  const row = 80 + gap;
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + (columns * column) / 2, y + (rows * row) / 2, { steps: 4 });
  await page.mouse.move(x + columns * column, y + rows * row, { steps: 4 });
  await page.mouse.up();
}


/** A formatted number ("$1,234.50", "1,234") as a number. */
function numberOf(text: string): number {
  return Number(text.replace(/[^0-9.-]/g, ''));
}

/** Serious and critical axe violations of the page as it is now (shadow roots included). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE });
  return page.evaluate(async () => {
    type AxeResult = { violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown[] }> }> };
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.target))}`);
  });
}

/** The element that has focus, through shadow roots: its tag, name and the tile it is. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element: Element | null = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    if (!element) return '';
    const chart = element.getAttribute('data-chart');
    return `${element.tagName.toLowerCase()}|${element.getAttribute('name') ?? ''}|${element.getAttribute('value') ?? ''}|${chart ?? ''}`;
  });
}

/** Press Tab (or Shift+Tab) until the focused element's description starts with `prefix`. */
async function tabTo(page: Page, prefix: string, backwards = false): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if ((await focused(page)).startsWith(prefix)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`never reached ${prefix} with the keyboard (at ${await focused(page)})`);
}

async function createThreeTileDashboard(title: string): Promise<{ id: string; version: number }> {
  const page = await openElement(await mintToken(stack, CAROL, '*'), 'new');
  try {
    await waitForEditor(page);
    await page.locator('tc-dashboard input[name="dashboard-title"]').fill(title);
    await addTile(page, { measures: ['revenue'], type: 'kpi', title: 'Revenue' });
    await addTile(page, { measures: ['orders'], dimensions: ['channel'], type: 'bar', title: 'Orders by channel' });
    await addTile(page, { measures: ['revenue'], dimensions: ['channel'], type: 'table', title: 'Revenue by channel' });
    await page.locator('tc-dashboard button[name="save"]').click();
    await page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.saved.length > 0);
    return (await events(page)).saved[0]!;
  } finally {
    await page.close();
  }
}

describe('the dashboard editor in <tc-dashboard>', () => {
  it('carol builds a three-tile dashboard, moves and resizes with the mouse, saves and reloads it; a viewer of her tenant reads the SQL numbers', async () => {
    const carolToken = await mintToken(stack, CAROL, '*');
    const page = await openElement(carolToken, 'new');
    let saved: { id: string; version: number };
    try {
      await waitForEditor(page);
      await page.locator('tc-dashboard input[name="dashboard-title"]').fill('Initech channels');
      await addTile(page, { measures: ['revenue'], type: 'kpi', title: 'Revenue' });
      await addTile(page, { measures: ['orders'], dimensions: ['channel'], type: 'bar', title: 'Orders by channel' });
      await addTile(page, { measures: ['revenue'], dimensions: ['channel'], type: 'table', title: 'Revenue by channel' });
      expect(await cellOf(page, 'tile_1')).toEqual({ x: 0, y: 0, w: 3, h: 2 });
      expect(await cellOf(page, 'tile_2')).toEqual({ x: 0, y: 2, w: 6, h: 4 });
      expect(await cellOf(page, 'tile_3')).toEqual({ x: 0, y: 6, w: 12, h: 4 });
      // Move the bar chart six columns right by its handle; resize the table by its corner.
      await dragBy(page, 'tc-dashboard .edit-tile[data-chart="tile_2"] .drag-handle', 6, 0);
      expect(await cellOf(page, 'tile_2')).toEqual({ x: 6, y: 2, w: 6, h: 4 });
      await dragBy(page, 'tc-dashboard .edit-tile[data-chart="tile_3"] .resize-handle', -4, 1);
      expect(await cellOf(page, 'tile_3')).toEqual({ x: 0, y: 6, w: 8, h: 5 });
      expect(await page.locator('tc-dashboard [role="status"]').last().textContent()).toContain('Revenue by channel resized to 8 columns by 5 rows');
      // Other tenants' canaries never reach the editor (the preview ran under carol's RLS).
      const html = await deepHtml(page);
      expect(html).not.toContain(CANARIES.globex);
      await page.locator('tc-dashboard button[name="save"]').click();
      await page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.saved.length > 0);
      saved = (await events(page)).saved[0]!;
      expect(saved.id).toBe('initech_channels');
      // After the first save the element shows the saved dashboard, with its Edit control.
      await page.locator('tc-dashboard h2').filter({ hasText: 'Initech channels' }).waitFor();
      await page.locator('tc-dashboard button.edit').waitFor();
    } finally {
      await page.close();
    }

    const reloaded = await openElement(carolToken, `dashboard="${saved.id}"`);
    try {
      await reloaded.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.ready > 0, undefined, { timeout: 45_000 });
      const style = (chart: string) => reloaded.locator(`tc-dashboard section.tile[data-chart="${chart}"]`).getAttribute('style');
      expect(await style('tile_2')).toContain('--_x:7;');
      expect(await style('tile_3')).toContain('--_w:8;');
      expect(await style('tile_3')).toContain('--_h:5;');
    } finally {
      await reloaded.close();
    }

    const viewer = await openElement(await mintToken(stack, IVAN, '*'), `dashboard="${saved.id}"`);
    try {
      await viewer.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.ready > 0, undefined, { timeout: 45_000 });
      // Viewers never see the editor's control.
      expect(await viewer.locator('tc-dashboard button.edit').count()).toBe(0);
      const [total] = await stack.sql<{ revenue: number }>(`SELECT sum(amount)::DOUBLE AS revenue FROM orders WHERE customer_id = 'initech'`);
      const kpi = numberOf((await viewer.locator('tc-dashboard section[data-chart="tile_1"] .kpi').textContent()) ?? '');
      expect(total!.revenue).toBeGreaterThan(0);
      expect(Math.abs(kpi - total!.revenue)).toBeLessThan(1);
      const byChannel = await stack.sql<{ channel: string; revenue: number }>(
        `SELECT channel, sum(amount)::DOUBLE AS revenue FROM orders WHERE customer_id = 'initech' GROUP BY channel`,
      );
      const rows = await viewer.locator('tc-dashboard section[data-chart="tile_3"] tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')));
      expect(rows.length).toBe(byChannel.length);
      for (const expected of byChannel) {
        const row = rows.find((r) => r[0]!.trim() === expected.channel);
        expect(row, expected.channel).toBeDefined();
        expect(Math.abs(numberOf(row![1]!) - expected.revenue)).toBeLessThan(0.01);
      }
      const html = await deepHtml(viewer);
      expect(html).not.toContain(CANARIES.globex);
    } finally {
      await viewer.close();
    }
  }, 180_000);

  it('never offers a member a member rule hides from this maker', async () => {
    const offered = async (user: typeof CAROL) => {
      const page = await openElement(await mintToken(stack, user, '*'), 'new');
      try {
        await waitForEditor(page);
        await page.locator('tc-dashboard button[name="add-tile"]').click();
        await page.locator('tc-dashboard .builder select[name="dataset"]').selectOption('orders');
        const measures = await page.locator('tc-dashboard .builder input[name="measures"]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
        return { measures, html: await deepHtml(page) };
      } finally {
        await page.close();
      }
    };
    const carol = await offered(CAROL);
    expect(carol.measures).toContain('revenue');
    expect(carol.measures).toContain('margin');
    expect(carol.measures).not.toContain('largest_order');
    expect(carol.html).not.toContain('Largest order');
    // The same builder offers it to a finance maker: the rule, not the editor, hides it.
    const fiona = await offered(FIONA);
    expect(fiona.measures).toContain('largest_order');
  }, 120_000);

  it('two makers saving the same version: the second gets edit_conflict and is offered a reload', async () => {
    const { id } = await createThreeTileDashboard('Shared board');
    const token = await mintToken(stack, CAROL, '*');
    const first = await openElement(token, `dashboard="${id}"`);
    const second = await openElement(token, `dashboard="${id}"`);
    try {
      for (const page of [first, second]) {
        await page.locator('tc-dashboard button.edit').click();
        await waitForEditor(page);
      }
      await first.locator('tc-dashboard input[name="dashboard-title"]').fill('Shared board, first');
      await first.locator('tc-dashboard button[name="save"]').click();
      await first.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.saved.length > 0);
      await second.locator('tc-dashboard input[name="dashboard-title"]').fill('Shared board, second');
      await second.locator('tc-dashboard button[name="save"]').click();
      const dialog = second.locator('tc-dashboard .dialog[data-dialog="conflict"]');
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('Someone saved this dashboard after you opened it');
      expect((await events(second)).errors.map((e) => e.code)).toContain('edit_conflict');
      expect((await events(second)).saved).toEqual([]);
      await dialog.locator('button', { hasText: 'Reload' }).click();
      await second.locator('tc-dashboard .dialog[data-dialog="reload"] button', { hasText: 'Reload and discard' }).click();
      await second.waitForFunction(
        () => (document.querySelector('tc-dashboard')!.shadowRoot!.querySelector('tc-dashboard-editor')?.shadowRoot?.querySelector('input[name="dashboard-title"]') as HTMLInputElement | null)?.value === 'Shared board, first',
      );
    } finally {
      await first.close();
      await second.close();
    }
  }, 180_000);

  it('adds a tile and saves with the keyboard only', async () => {
    const page = await openElement(await mintToken(stack, CAROL, '*'), 'new');
    try {
      await waitForEditor(page);
      // The editor opens with the title field focused.
      await page.waitForFunction(() => document.querySelector('tc-dashboard')!.shadowRoot!.querySelector('tc-dashboard-editor')?.shadowRoot?.activeElement?.getAttribute('name') === 'dashboard-title');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('Keyboard board');
      await tabTo(page, 'button|add-tile');
      await page.keyboard.press('Enter');
      await page.locator('tc-dashboard .builder').waitFor();
      expect(await focused(page)).toBe('select|dataset||');
      await page.keyboard.press('ArrowDown');
      await page.locator('tc-dashboard .builder input[name="measures"][value="revenue"]').waitFor();
      await tabTo(page, 'input|measures|revenue');
      await page.keyboard.press('Space');
      await tabTo(page, 'input|dimensions|channel');
      await page.keyboard.press('Space');
      await tabTo(page, 'input|tile-title');
      await page.keyboard.type('Revenue by channel');
      await page.locator('tc-dashboard .builder .preview-body[data-status="ready"]').waitFor({ timeout: 30_000 });
      await tabTo(page, 'button|apply-tile');
      await page.keyboard.press('Enter');
      // Focus lands on the new tile; arrows move it, Shift+arrows resize it.
      await page.locator('tc-dashboard .builder').waitFor({ state: 'detached' });
      expect(await focused(page)).toBe('section|||tile_1');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Shift+ArrowDown');
      expect(await cellOf(page, 'tile_1')).toEqual({ x: 2, y: 0, w: 6, h: 5 });
      expect(await page.locator('tc-dashboard [role="status"]').last().textContent()).toContain('resized to 6 columns by 5 rows');
      await tabTo(page, 'button|save', true);
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.saved.length > 0);
      expect((await events(page)).saved[0]!.id).toBe('keyboard_board');
      await page.locator('tc-dashboard section.tile[data-chart="tile_1"]').waitFor();
      expect(await page.locator('tc-dashboard section.tile[data-chart="tile_1"]').getAttribute('style')).toContain('--_x:3;');
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a viewer on the demo host never loads the editor chunk; carol gets Edit, saves the model dashboard as her own and deletes it', async () => {
    const signIn = async (userId: string) => {
      await browser.context.clearCookies();
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.addInitScript(() => {
        const w = window as unknown as { __events: PageEvents };
        w.__events = { saved: [], deleted: [], errors: [], ready: 0 };
        document.addEventListener('tc-dashboard-saved', (e) => w.__events.saved.push((e as CustomEvent).detail));
        document.addEventListener('tc-dashboard-deleted', (e) => w.__events.deleted.push((e as CustomEvent).detail));
        document.addEventListener('tc-ready', () => w.__events.ready++);
      });
      await page.goto(stack.host.url);
      await page.click(`button[value="${userId}"]`);
      await page.waitForURL('**/dashboard');
      await page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.ready > 0, undefined, { timeout: 45_000 });
      return { page, requested };
    };
    const editorChunk = /\/embed\/tc-dashboard-editor\.[A-Z0-9]+\.js$/;

    const alice = await signIn('alice');
    try {
      expect(alice.requested.some((url) => url.includes('/embed/perch'))).toBe(true);
      expect(await alice.page.locator('tc-dashboard button.edit').count()).toBe(0);
      expect(alice.requested.filter((url) => editorChunk.test(url))).toEqual([]);
    } finally {
      await alice.page.close();
    }

    const carol = await signIn('carol');
    try {
      expect(carol.requested.filter((url) => editorChunk.test(url))).toEqual([]);
      await carol.page.locator('tc-dashboard button.edit').click();
      await waitForEditor(carol.page);
      expect(carol.requested.filter((url) => editorChunk.test(url))).toHaveLength(1);
      // A model dashboard cannot be changed in place: Save asks for the copy's title.
      expect(await carol.page.locator('tc-dashboard .toolbar-note').textContent()).toContain('part of the semantic model');
      expect(await carol.page.locator('tc-dashboard button[name="delete"]').count()).toBe(0);
      await carol.page.locator('tc-dashboard button[name="save"]').click();
      await carol.page.locator('tc-dashboard .dialog[data-dialog="save-as"] input[name="dialog-field"]').fill('Carol sales');
      await carol.page.locator('tc-dashboard .dialog[data-dialog="save-as"] button', { hasText: 'Save copy' }).click();
      await carol.page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.saved.length > 0);
      const saved = (await events(carol.page)).saved[0]!;
      expect(saved.id).toBe('carol_sales');
      await carol.page.locator('tc-dashboard h2').filter({ hasText: 'Carol sales' }).waitFor();
      await carol.page.locator('tc-dashboard button.edit').click();
      await waitForEditor(carol.page);
      await carol.page.locator('tc-dashboard button[name="delete"]').click();
      await carol.page.locator('tc-dashboard .dialog[data-dialog="delete"] button', { hasText: 'Delete dashboard' }).click();
      await carol.page.waitForFunction(() => (window as unknown as { __events: PageEvents }).__events.deleted.length > 0);
      expect((await events(carol.page)).deleted).toEqual([{ id: 'carol_sales' }]);
      await carol.page.locator('tc-dashboard .blank').waitFor();
      const list = await (await fetch(`${stack.perch.url}/v1/dashboards`, { headers: { authorization: `Bearer ${await mintToken(stack, CAROL, '*')}` } })).json();
      expect((list as { dashboards: Array<{ id: string }> }).dashboards.map((d) => d.id)).not.toContain('carol_sales');
    } finally {
      await carol.page.close();
    }
  }, 180_000);

  for (const theme of ['light', 'dark']) {
    for (const viewport of [
      { name: 'desktop', width: 1440, height: 900 },
      { name: 'phone', width: 390, height: 844 },
    ]) {
      it(`axe finds no serious or critical violation in the editor (${theme}, ${viewport.width} px); screenshots of its states`, async () => {
        const page = await openElement(await mintToken(stack, CAROL, '*'), 'new', { viewport, theme });
        const shot = (name: string) => page.screenshot({ path: join(SHOTS, `editor-${viewport.name}-${theme}-${name}.png`), fullPage: false });
        try {
          await waitForEditor(page);
          await shot('empty');
          expect(await seriousViolations(page)).toEqual([]);
          await page.locator('tc-dashboard input[name="dashboard-title"]').fill('Initech overview');
          await addTile(page, { measures: ['revenue'], type: 'kpi', title: 'Revenue' });
          await addTile(page, { measures: ['orders'], dimensions: ['channel'], type: 'bar', title: 'Orders by channel' });
          await addTile(page, { measures: ['revenue'], dimensions: ['channel'], type: 'table', title: 'Revenue by channel' });
          await page.evaluate(() => window.scrollTo(0, 0));
          await page.locator('tc-dashboard .edit-tile[data-chart="tile_2"] .preview-body[data-status="ready"] tc-chart').waitFor({ timeout: 30_000 });
          await page.locator('tc-dashboard .edit-tile[data-chart="tile_3"] .preview-body[data-status="ready"] table').waitFor({ timeout: 30_000 });
          await shot('grid');
          expect(await seriousViolations(page)).toEqual([]);
          // The builder, with a live preview, then its loading, empty and error states.
          await page.locator('tc-dashboard .edit-tile[data-chart="tile_2"] button.edit-tile-button').click();
          await page.locator('tc-dashboard .builder .preview-body[data-status="ready"] tc-chart').waitFor();
          await page.waitForTimeout(300);
          await shot('builder');
          expect(await seriousViolations(page)).toEqual([]);
          let release: () => void = () => undefined;
          const held = new Promise<void>((resolve) => (release = resolve));
          await page.route(`${stack.perch.url}/v1/query`, async (route) => {
            await held;
            await route.continue();
          });
          await page.locator('tc-dashboard .builder input[name="dimensions"][value="status"]').check();
          await page.locator('tc-dashboard .builder .preview-body[aria-busy="true"]').waitFor();
          await shot('builder-loading');
          release();
          await page.unroute(`${stack.perch.url}/v1/query`);
          await page.locator('tc-dashboard .builder button[name="add-filter"]').click();
          await page.locator('tc-dashboard .builder .filter-row select').first().selectOption('channel');
          await page.locator('tc-dashboard .builder .filter-row input').fill('no-such-channel');
          await page.locator('tc-dashboard .builder .preview .empty').waitFor({ timeout: 30_000 });
          await shot('builder-empty');
          // The connection drops for the next preview: the error state, in words, with its code.
          await page.route(`${stack.perch.url}/v1/query`, (route) => route.abort('connectionreset'));
          await page.locator('tc-dashboard .builder .filter-row input').fill('');
          await page.locator('tc-dashboard .builder .preview [role="alert"][data-code="network_error"]').waitFor({ timeout: 30_000 });
          await page.unroute(`${stack.perch.url}/v1/query`);
          await shot('builder-error');
          expect(await seriousViolations(page)).toEqual([]);
          await page.keyboard.press('Escape');
          await page.locator('tc-dashboard .builder').waitFor({ state: 'detached' });
          await page.locator('tc-dashboard button[name="cancel"]').click();
          await page.locator('tc-dashboard .dialog[data-dialog="discard"]').waitFor();
          await shot('discard-dialog');
          expect(await seriousViolations(page)).toEqual([]);
          expect(await deepHtml(page)).not.toContain(CANARIES.globex);
        } finally {
          await page.close();
        }
      }, 150_000);
    }
  }
});
