import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { buildEmbed } from '../build.js';
import { launchBrowser, type LaunchedBrowser } from './browser.js';
import { EMPTY_RANGE, startFixtureServer, type FixtureServer } from './fixture-server.js';

/*
 * axe-core, run inside Chromium on the rendered dashboard (shadow roots included), in both themes
 * and at desktop and phone width, with data, with an empty result and with a failed tile.
 */
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let distDir: string;
let server: FixtureServer;
let browser: LaunchedBrowser;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-embed-a11y-'));
  await buildEmbed({ outdir: distDir });
  server = await startFixtureServer({ distDir });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(distDir, { recursive: true, force: true });
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

async function openDashboard(viewport: { width: number; height: number }, theme: string): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  await page.goto(server.url);
  await page.evaluate(
    (t) =>
      new Promise<void>((resolve) => {
        document.body.style.background = t === 'dark' ? '#14171c' : '#ffffff';
        const el = document.createElement('tc-dashboard');
        el.setAttribute('theme', t);
        el.setAttribute('token', 'valid-1');
        el.setAttribute('dashboard', 'sales');
        document.addEventListener('tc-ready', () => resolve(), { once: true });
        document.body.append(el);
      }),
    theme,
  );
  await page.addScriptTag({ path: AXE_SOURCE });
  return page;
}

/** The serious and critical violations axe finds in the page as it is now. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  // Measure settled tiles: a reloading tile shows its last data dimmed on purpose.
  await page.waitForFunction(() => document.querySelector('tc-dashboard')!.shadowRoot!.querySelectorAll('[aria-busy="true"], .updating').length === 0);
  return page.evaluate(async () => {
    type AxeResult = { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[]; html: string }> }> };
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.html}`) }));
  });
}

const VIEWPORTS = [
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

describe('axe-core on <tc-dashboard> in Chromium', () => {
  for (const theme of ['light', 'dark']) {
    for (const viewport of VIEWPORTS) {
      it(`finds no serious or critical violation: ${theme}, ${viewport.width} px, with data, empty and with a failed tile`, async () => {
        server.failures.clear();
        const page = await openDashboard(viewport, theme);
        try {
          // The check is live: axe did run and looked at the tiles inside the shadow root.
          expect(await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe)).toBe('object');
          // With the multi-select picker open: its search box and checkboxes are checked too.
          await page.locator('tc-dashboard .picker[data-member="region"] input[type="checkbox"]').first().waitFor({ state: 'attached' });
          await page.locator('tc-dashboard .picker[data-member="region"] summary').click();
          expect(await seriousViolations(page)).toEqual([]);
          await page.locator('tc-dashboard .picker[data-member="region"] summary').click();
          await page.locator('tc-dashboard select[name="dateRange"]').selectOption(EMPTY_RANGE);
          await page.locator('tc-dashboard section[data-chart="revenue_total"] .empty').waitFor();
          expect(await seriousViolations(page)).toEqual([]);
          server.failures.set('revenue_by_region', 'query_timeout');
          await page.locator('tc-dashboard select[name="dateRange"]').selectOption('last 12 months');
          await page.locator('tc-dashboard section[data-chart="revenue_by_region"] [data-code="query_timeout"]').waitFor();
          await page.locator('tc-dashboard section[data-chart="revenue_by_region"] summary').click();
          expect(await seriousViolations(page)).toEqual([]);
        } finally {
          server.failures.clear();
          await page.close();
        }
      });
    }
  }
});
