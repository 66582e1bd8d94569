/**
 * End to end: `<tc-dashboard-list>` in the demo host's sidebar, against a real Perch. A maker of
 * initech saves a dashboard whose title is a canary; initech's maker sees it under "Your team's
 * dashboards" and opens it from the list, while users of other tenants never receive its title,
 * neither in the page (shadow roots included) nor in any response body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { deepHtml } from './deep-html.js';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { startEmbedStack, type EmbedStack } from './embed-stack.js';
import { recordResponses, type RecordedResponse } from '../helpers/page-responses.js';

const SAVED_ID = 'list_e2e_board';
/** The saved dashboard's title and description: present only in initech's own list. */
const CANARY_TITLE = 'CANARY_LIST_TITLE_initech_3b7e';
const CANARY_DESCRIPTION = 'CANARY_LIST_DESC_initech_91c0';

let stack: EmbedStack;
let browser: LaunchedBrowser;

/** A token minted straight through the API, as a host backend would (bound to no origin). */
async function mint(user: { distinctId: string; role: string; attributes: Record<string, unknown> }, dashboards: string[] | '*'): Promise<string> {
  const response = await fetch(`${stack.perch.url}/v1/embed/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user, scope: { dashboards } }),
  });
  if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

beforeAll(async () => {
  stack = await startEmbedStack({ orders: 3_000 });
  browser = await launchBrowser();
  // carol's tenant (initech) saves a dashboard through the API, as its editor would.
  const maker = await mint({ distinctId: 'list-maker', role: 'maker', attributes: { customerId: 'initech', region: 'APAC', department: 'operations' } }, '*');
  const created = await fetch(`${stack.perch.url}/v1/dashboards`, {
    method: 'POST',
    headers: { authorization: `Bearer ${maker}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: SAVED_ID,
      title: CANARY_TITLE,
      description: CANARY_DESCRIPTION,
      charts: [{ id: 'team_revenue', type: 'kpi', title: 'Team revenue', query: { dataset: 'orders', measures: ['revenue'] } }],
    }),
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.status} ${await created.text()}`);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type Logged = { type: string; detail: Record<string, unknown> };

interface SignedIn {
  page: Page;
  responses: RecordedResponse[];
  settled(): Promise<RecordedResponse[]>;
  events(): Promise<Logged[]>;
}

/** Sign in to the demo host and wait until the sidebar's list is shown. */
async function signIn(userId: string): Promise<SignedIn> {
  await browser.context.clearCookies();
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __events: Logged[] };
    w.__events = [];
    for (const type of ['tc-ready', 'tc-error', 'tc-dashboard-select']) {
      document.addEventListener(type, (e) => w.__events.push({ type, detail: (e as CustomEvent).detail }), true);
    }
  });
  const recorder = await recordResponses(page);
  await page.goto(stack.host.url);
  await page.click(`button[value="${userId}"]`);
  await page.waitForURL('**/dashboard');
  const events = () => page.evaluate(() => (window as unknown as { __events: Logged[] }).__events);
  await page.waitForFunction(() => (window as unknown as { __events: Logged[] }).__events.some((e) => e.type === 'tc-ready' && e.detail.component === 'dashboard-list'), undefined, { timeout: 45_000 });
  return { page, responses: recorder.responses, settled: () => recorder.settled(), events };
}


function entries(page: Page) {
  return page.$$eval('tc-dashboard-list >> button.item', (buttons) =>
    buttons.map((b) => ({
      group: b.closest('section')?.getAttribute('data-source'),
      id: b.getAttribute('data-id'),
      title: b.querySelector('.item-title')?.textContent,
      badge: b.querySelector('[part="badge"]') !== null,
      current: b.getAttribute('aria-current'),
    })),
  );
}

describe('<tc-dashboard-list> in the demo host, against Perch', () => {
  it("shows initech's maker the model dashboard and the team's saved one, and opens it on click", async () => {
    const { page, settled, events } = await signIn('carol');
    try {
      const shown = await entries(page);
      expect(shown).toEqual([
        { group: 'model', id: 'sales', title: 'Sales overview', badge: expect.any(Boolean), current: 'page' },
        { group: 'saved', id: SAVED_ID, title: CANARY_TITLE, badge: expect.any(Boolean), current: null },
      ]);
      expect(await page.locator(`tc-dashboard-list button[data-id="${SAVED_ID}"] .item-description`).textContent()).toBe(CANARY_DESCRIPTION);
      // The badge follows Perch's own answer, entry by entry (absent `editable` reads as false).
      const listed = (await settled()).find((r) => r.url === `${stack.perch.url}/v1/dashboards` && r.method === 'GET');
      expect(listed?.status).toBe(200);
      const body = JSON.parse(listed!.body) as { dashboards: Array<{ id: string; editable?: boolean }> };
      expect(body.dashboards.map((d) => d.id)).toEqual(['sales', SAVED_ID]);
      for (const entry of shown) expect(entry.badge, entry.id!).toBe(body.dashboards.find((d) => d.id === entry.id)?.editable === true);
      // A model dashboard is never editable, whatever the server version.
      expect(shown[0]!.badge).toBe(false);
      expect(await page.locator(`tc-dashboard-list button[data-id="${SAVED_ID}"] time`).textContent()).toMatch(/^Updated /);

      // A click opens it in <tc-dashboard>: the host sets the dashboard property, the list marks it.
      await page.locator(`tc-dashboard-list button[data-id="${SAVED_ID}"]`).click();
      await page.waitForFunction(
        (id) => (window as unknown as { __events: Logged[] }).__events.some((e) => e.type === 'tc-ready' && e.detail.component === 'dashboard' && e.detail.dashboard === id),
        SAVED_ID,
        { timeout: 45_000 },
      );
      expect(await page.locator('tc-dashboard h2').textContent()).toBe(CANARY_TITLE);
      expect(await page.locator('tc-dashboard section[data-chart="team_revenue"] .kpi').innerText()).toMatch(/^\$[\d,]+/);
      expect((await entries(page)).filter((e) => e.current === 'page').map((e) => e.id)).toEqual([SAVED_ID]);
      const select = (await events()).filter((e) => e.type === 'tc-dashboard-select').map((e) => e.detail);
      expect(select).toEqual([{ id: SAVED_ID, source: 'saved', editable: body.dashboards[1]!.editable === true }]);

      // And back to the model dashboard with the keyboard. The page's first load already said
      // tc-ready for it, so wait for one logged after the key press.
      const logged = (await events()).length;
      await page.locator(`tc-dashboard-list button[data-id="${SAVED_ID}"]`).focus();
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (from) => (window as unknown as { __events: Logged[] }).__events.slice(from).some((e) => e.type === 'tc-ready' && e.detail.component === 'dashboard' && e.detail.dashboard === 'sales'),
        logged,
        { timeout: 45_000 },
      );
      expect(await page.locator('tc-dashboard h2').textContent()).toBe('Sales overview');
      expect((await events()).filter((e) => e.type === 'tc-error')).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it("never shows initech's saved dashboard to users of other tenants, in the page or on the wire", async () => {
    // dan is an admin of acme: the demo host gives his token every dashboard ("*"), so only the
    // tenant keeps initech's dashboard from him; alice and bob have `sales` in scope only.
    for (const userId of ['dan', 'alice', 'bob']) {
      const { page, settled, events } = await signIn(userId);
      try {
        expect((await entries(page)).map((e) => `${e.group}:${e.id}`)).toEqual(['model:sales']);
        const responses = await settled();
        // The list request did happen and answered: the absence below is not an empty page.
        expect(responses.some((r) => r.url === `${stack.perch.url}/v1/dashboards` && r.status === 200)).toBe(true);
        const seen = `${await deepHtml(page)}\n${responses.map((r) => r.body).join('\n')}`;
        for (const canary of [CANARY_TITLE, CANARY_DESCRIPTION, SAVED_ID]) expect(seen, `${userId}: ${canary}`).not.toContain(canary);
        expect((await events()).filter((e) => e.type === 'tc-error')).toEqual([]);
      } finally {
        await page.close();
      }
    }
  }, 120_000);

  it('renders the empty and the error state from real answers', async () => {
    const page = await browser.newPage();
    try {
      // The demo host's origin is authorized for CORS; its login page does not load Perch, so load
      // it here (the host's CSP allows scripts from Perch's origin).
      await page.goto(stack.host.url);
      await page.addScriptTag({ url: `${stack.perch.url}/embed/perch.js`, type: 'module' });
      await page.waitForFunction(() => customElements.get('tc-dashboard-list') !== undefined);
      const outOfScope = await mint({ distinctId: 'list-empty', role: 'viewer', attributes: { customerId: 'acme', department: 'sales' } }, ['no_such_dashboard']);
      const state = (token: string, waitFor: 'tc-ready' | 'tc-error') =>
        page.evaluate(
          async ({ perch, token, waitFor }) => {
            document.querySelector('tc-dashboard-list')?.remove();
            const el = document.createElement('tc-dashboard-list');
            el.setAttribute('api-base', perch);
            el.setAttribute('token', token);
            const detail = new Promise<unknown>((resolve) => el.addEventListener(waitFor, (e) => resolve((e as CustomEvent).detail), { once: true }));
            document.body.append(el);
            return detail;
          },
          { perch: stack.perch.url, token, waitFor },
        );
      expect(await state(outOfScope, 'tc-ready')).toMatchObject({ component: 'dashboard-list', count: 0 });
      expect(await page.locator('tc-dashboard-list [part="empty"]').innerText()).toBe('No dashboards yet.');
      expect(await page.locator('tc-dashboard-list button').count()).toBe(0);

      expect(await state('not-a-token', 'tc-error')).toMatchObject({ code: 'token_malformed' });
      const error = page.locator('tc-dashboard-list [part="error"]');
      expect(await error.locator('.sentence').innerText()).toBe('Your session has ended. Reload the page to sign in again.');
      expect(await error.locator('small').innerText()).toMatch(/^Code token_malformed · request \S+$/);
    } finally {
      await page.close();
    }
  }, 60_000);
});
