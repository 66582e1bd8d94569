/**
 * The page snippet and the Content-Security-Policy recommended in docs/embedding.md, together, in
 * Chromium: a host page served with exactly that CSP header renders the dashboard with the
 * user's data. Two controls show the test can fail: the old inline snippet under the same CSP is
 * blocked and the dashboard reports `token_missing`; the nonce variant the docs also give works.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from '@perch/embed/testing';
import { resolveDateRange } from '@perch/engine';
import { CANARIES, startEmbedStack, type EmbedStack } from './embed-stack.js';

let stack: EmbedStack;
let browser: LaunchedBrowser;
let host: Server;
let hostUrl: string;

const NONCE = 'cGVyY2gtY3NwLXRlc3Q';

/** The CSP of docs/embedding.md, section "Content-Security-Policy", for this Perch. */
function recommendedCsp(perch: string, extraScript = ''): string {
  return [
    `default-src 'self'`,
    `script-src 'self' ${perch}${extraScript}`,
    `connect-src 'self' ${perch}`,
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data:`,
    `object-src 'none'`,
    `base-uri 'none'`,
  ].join('; ');
}

/** The wiring file of docs/embedding.md, served by the host from its own origin. */
const WIRING = `
const dashboard = document.querySelector('tc-dashboard');
dashboard.fetchToken = async () => {
  const response = await fetch('/api/perch-token', { method: 'POST' });
  if (!response.ok) throw new Error('no token');
  return (await response.json()).token;
};
`;

function page(perch: string, wiring: 'external' | 'inline' | 'nonce'): string {
  const script =
    wiring === 'external'
      ? '<script type="module" src="/perch-embed.js"></script>'
      : `<script type="module"${wiring === 'nonce' ? ` nonce="${NONCE}"` : ''}>${WIRING}</script>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host</title>
<script type="module" src="${perch}/embed/perch.js"></script></head>
<body><tc-dashboard dashboard="sales"></tc-dashboard>${script}</body></html>`;
}

beforeAll(async () => {
  stack = await startEmbedStack({ orders: 5_000 });
  browser = await launchBrowser();
  const perch = stack.perch.url;
  host = createServer((request, response) => {
    void (async () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      if (path === '/api/perch-token' && request.method === 'POST') {
        // The host backend: its own session would pick the user; this one is always acme/sales.
        const minted = await fetch(`${perch}/v1/embed/tokens`, {
          method: 'POST',
          headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user: { distinctId: 'csp-user', role: 'viewer', attributes: { customerId: 'acme', department: 'sales' } }, scope: { dashboards: ['sales'] }, origins: [hostUrl] }),
        });
        response.writeHead(minted.status, { 'content-type': 'application/json' }).end(await minted.text());
        return;
      }
      if (path === '/perch-embed.js') {
        response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(WIRING);
        return;
      }
      const wiring = path === '/inline' ? 'inline' : path === '/nonce' ? 'nonce' : path === '/' ? 'external' : undefined;
      if (!wiring) {
        response.writeHead(404).end();
        return;
      }
      const csp = recommendedCsp(perch, wiring === 'nonce' ? ` 'nonce-${NONCE}'` : '');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp }).end(page(perch, wiring));
    })().catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
  const origins = await fetch(`${perch}/v1/workspace/origins`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ origins: [hostUrl, new URL(stack.host.url).origin] }),
  });
  expect(origins.status).toBe(200);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => host?.close(resolve));
  await stack?.close();
});

interface Observed {
  events: Array<{ type: string; code?: string }>;
  violations: string[];
}

/** Open a host page, recording Perch's events and every CSP violation from the first script on. */
async function open(path: string): Promise<{ page: Page; observed: () => Promise<Observed> }> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { __observed: { events: Array<{ type: string; code?: string }>; violations: string[] } };
    w.__observed = { events: [], violations: [] };
    for (const type of ['tc-ready', 'tc-error']) {
      document.addEventListener(type, (event) => w.__observed.events.push({ type, code: (event as CustomEvent<{ code?: string }>).detail?.code }), true);
    }
    document.addEventListener('securitypolicyviolation', (event) => w.__observed.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  await page.goto(hostUrl + path);
  return { page, observed: () => page.evaluate(() => (window as unknown as { __observed: Observed }).__observed) };
}

async function waitForOutcome(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { __observed: Observed }).__observed.events.length > 0, undefined, { timeout: 45_000 });
}

async function expectedOrders(): Promise<number> {
  const { start, end } = resolveDateRange('last 12 months', 'UTC', new Date());
  const iso = (d: Date) => d.toISOString().replace('T', ' ').replace('Z', '');
  const [row] = await stack.sql<{ orders: string | number }>(
    `SELECT count(*) AS orders FROM orders WHERE customer_id = 'acme' AND department = 'sales' AND ordered_at >= TIMESTAMP '${iso(start)}' AND ordered_at < TIMESTAMP '${iso(end)}'`,
  );
  return Number(row!.orders);
}

async function kpi(page: Page, chart: string): Promise<number> {
  return Number((await page.locator(`tc-dashboard [data-chart="${chart}"] .kpi`).innerText()).replace(/[^0-9.-]/g, ''));
}

describe('the documented snippet under the documented CSP', () => {
  it('renders the dashboard with the user’s own data and no CSP violation', async () => {
    const { page, observed } = await open('/');
    try {
      await waitForOutcome(page);
      const seen = await observed();
      expect(seen.events.filter((e) => e.type === 'tc-error')).toEqual([]);
      expect(seen.events.map((e) => e.type)).toContain('tc-ready');
      expect(seen.violations).toEqual([]);
      const orders = await expectedOrders();
      expect(orders).toBeGreaterThan(0);
      expect(await kpi(page, 'orders_kpi')).toBe(orders);
      const text = await page.locator('tc-dashboard').innerText();
      for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
    } finally {
      await page.close();
    }
  });

  it('the nonce variant renders too', async () => {
    const { page, observed } = await open('/nonce');
    try {
      await waitForOutcome(page);
      const seen = await observed();
      expect(seen.events.map((e) => e.type)).toEqual(['tc-ready']);
      expect(seen.violations).toEqual([]);
      expect(await kpi(page, 'orders_kpi')).toBe(await expectedOrders());
    } finally {
      await page.close();
    }
  });

  it('control: an inline script without a nonce is blocked by that CSP and the dashboard says token_missing', async () => {
    const { page, observed } = await open('/inline');
    try {
      await waitForOutcome(page);
      const seen = await observed();
      expect(seen.events).toEqual([{ type: 'tc-error', code: 'token_missing' }]);
      expect(seen.violations.some((v) => v.startsWith('script-src'))).toBe(true);
    } finally {
      await page.close();
    }
  });
});
