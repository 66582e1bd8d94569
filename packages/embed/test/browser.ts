import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Chromium flags for quiet, deterministic headless runs (no network side traffic, no GPU). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export interface LaunchedBrowser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  /** Close Chromium and delete its profile directory. */
  close(): Promise<void>;
}

/**
 * Start the system Chromium with a fresh profile directory.
 *
 * @example
 * const browser = await launchBrowser();
 * const page = await browser.newPage();
 * await page.goto(url);
 * await browser.close();
 */
export async function launchBrowser(options: { executablePath?: string } = {}): Promise<LaunchedBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'perch-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: options.executablePath ?? process.env.PERCH_CHROMIUM_PATH ?? process.env.PERCH_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
    acceptDownloads: true,
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface SharedBrowser {
  browser: Browser;
  /**
   * A page in a new, empty browser context: no HTTP cache, no cookies, no cached CORS preflights
   * and no open connections, so a load in it is cold. Close the context when done.
   */
  newColdPage(): Promise<{ page: Page; close(): Promise<void> }>;
  close(): Promise<void>;
}

/**
 * Start the system Chromium once for many cold page loads. Measuring each load in a freshly
 * launched browser would also measure the browser's own start-up work, which keeps both cores
 * busy for a second or more after launch; a new context per load is just as cold for the page.
 *
 * @example
 * const shared = await launchSharedBrowser();
 * const { page, close } = await shared.newColdPage();
 * await page.goto(url);
 * await close();
 * await shared.close();
 */
export async function launchSharedBrowser(options: { executablePath?: string } = {}): Promise<SharedBrowser> {
  const browser = await chromium.launch({
    executablePath: options.executablePath ?? process.env.PERCH_CHROMIUM_PATH ?? process.env.PERCH_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  return {
    browser,
    async newColdPage() {
      const context = await browser.newContext();
      const page = await context.newPage();
      return { page, close: () => context.close() };
    },
    close: () => browser.close(),
  };
}
