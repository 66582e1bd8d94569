import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_USERS, escapeHtml, startDemoHost, type DemoHost } from '../src/index.js';

const API_KEY = 'pk_test_' + 'Q7w9Zr2K'.repeat(6);
let perch: FastifyInstance;
let host: DemoHost;
const mints: Array<{ authorization: string | undefined; body: Record<string, unknown> }> = [];

beforeAll(async () => {
  // Stand-in for Perch's mint endpoint: records what the host backend sends.
  perch = Fastify();
  perch.post<{ Body: Record<string, unknown> }>('/v1/embed/tokens', (request, reply) => {
    mints.push({ authorization: request.headers.authorization, body: request.body });
    return reply.code(201).send({ token: 'jwe.for.' + (request.body.user as { distinctId: string }).distinctId, tokenId: 't1', expiresAt: '2030-01-01T00:00:00.000Z' });
  });
  const perchUrl = await perch.listen({ port: 0, host: '127.0.0.1' });
  host = await startDemoHost({ port: 0, host: '127.0.0.1', perchUrl, apiKey: API_KEY });
});
afterAll(async () => {
  await host?.close();
  await perch?.close();
});

async function login(userId: string): Promise<string> {
  const response = await fetch(`${host.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user: userId }).toString(),
    redirect: 'manual',
  });
  expect(response.status).toBe(303);
  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  return cookie.split(';')[0]!;
}

describe('demo host', () => {
  it('offers at least four demo users from different tenants, roles and regions', async () => {
    const page = await (await fetch(host.url)).text();
    for (const user of DEMO_USERS) expect(page).toContain(`value="${user.id}"`);
    expect(new Set(DEMO_USERS.map((u) => u.attributes.customerId)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(DEMO_USERS.map((u) => u.role)).size).toBe(4);
    expect(new Set(DEMO_USERS.map((u) => u.attributes.region)).size).toBeGreaterThanOrEqual(3);
    expect(page).not.toContain(API_KEY);
  });

  it('embeds the dashboard from Perch for the signed-in user, without the API key', async () => {
    const cookie = await login('alice');
    const response = await fetch(`${host.url}/dashboard`, { headers: { cookie } });
    const page = await response.text();
    expect(page).toContain('<tc-dashboard dashboard="sales"');
    expect(page).toMatch(/<script type="module" src="http:\/\/127\.0\.0\.1:\d+\/embed\/perch\.js"><\/script>/);
    expect(page).toContain('Alice Martin');
    expect(page).not.toContain(API_KEY);
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const script = await (await fetch(`${host.url}/app.js`)).text();
    expect(script).toContain('/api/perch-token');
    expect(script).not.toContain(API_KEY);
  });

  it('mints a token server-side with the signed-in user and returns only the token', async () => {
    mints.length = 0;
    const cookie = await login('bob');
    const response = await fetch(`${host.url}/api/perch-token`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({ token: 'jwe.for.bob', expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(mints).toHaveLength(1);
    expect(mints[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    expect(mints[0]!.body).toMatchObject({
      user: { distinctId: 'bob', role: 'explorer', attributes: { customerId: 'globex', region: 'AMER', department: 'finance' } },
      scope: { dashboards: ['sales'], assistant: true },
      ttlSeconds: 600,
    });
    expect((mints[0]!.body.origins as string[])[0]).toBe(new URL(host.url).origin);
  });

  it('scopes makers to every dashboard (they save their own), and viewers to the sales dashboard', async () => {
    mints.length = 0;
    for (const user of ['carol', 'alice']) {
      const cookie = await login(user);
      const response = await fetch(`${host.url}/api/perch-token`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
      expect(response.status).toBe(200);
    }
    expect(mints.map((m) => (m.body.scope as { dashboards: unknown }).dashboards)).toEqual(['*', ['sales']]);
  });

  it('refuses token requests without a host session and unknown users', async () => {
    mints.length = 0;
    const response = await fetch(`${host.url}/api/perch-token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    const forged = await fetch(`${host.url}/api/perch-token`, { method: 'POST', headers: { cookie: 'demo_session=guessed', 'content-type': 'application/json' }, body: '{}' });
    expect(forged.status).toBe(401);
    const unknown = await fetch(`${host.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'user=<script>', redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).not.toContain('<script>');
    expect(mints).toEqual([]);
  });

  it('signs out', async () => {
    const cookie = await login('carol');
    await fetch(`${host.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    const after = await fetch(`${host.url}/dashboard`, { headers: { cookie }, redirect: 'manual' });
    expect(after.status).toBe(303);
  });
});

describe('escapeHtml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
  });
});
