import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedClient } from './embed-client.js';
import { EmbedRequestError } from './embed-error.js';

/** A real HTTP server: `valid-*` tokens pass, `expired-*` get 401 token_expired. */
const app = Fastify();
const seen: string[] = [];
let expiresInMs = 600_000;
let url: string;

beforeAll(async () => {
  app.addHook('onRequest', async (request, reply) => {
    const auth = request.headers.authorization ?? '';
    seen.push(auth);
    if (!auth.startsWith('Bearer valid-')) {
      return reply.code(401).send({ error: { code: 'token_expired', message: 'expired', requestId: 'r-401' } });
    }
  });
  app.get('/v1/embed/session', () => ({ distinctId: 'a', role: 'viewer', scope: { dashboards: '*', assistant: false }, expiresAt: new Date(Date.now() + expiresInMs).toISOString(), env: 'test', attributeKeys: [] }));
  app.get('/v1/ping', () => ({ ok: true }));
  app.get('/v1/weird', (_q, reply) => reply.code(418).send({ error: { code: 'not_a_perch_code', message: 'x', requestId: 'r-418' } }));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

describe('EmbedClient', () => {
  it('refreshes once for concurrent token_expired answers and retries each request', async () => {
    seen.length = 0;
    let calls = 0;
    const expired: boolean[] = [];
    const client = new EmbedClient({
      apiBase: url,
      token: 'expired-1',
      fetchToken: async () => `valid-${++calls}`,
      onTokenExpired: (willRefresh) => expired.push(willRefresh),
    });
    const results = await Promise.all([client.json('/v1/ping'), client.json('/v1/ping'), client.json('/v1/ping')]);
    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(calls).toBe(1);
    expect(expired).toEqual([true, true, true]);
    expect(seen.filter((a) => a === 'Bearer valid-1')).toHaveLength(3);
    client.dispose();
  });

  it('surfaces token_expired with its requestId when there is no fetchToken', async () => {
    const client = new EmbedClient({ apiBase: url, token: 'expired-1' });
    const error = await client.json('/v1/ping').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmbedRequestError);
    expect(error).toMatchObject({ code: 'token_expired', requestId: 'r-401', httpStatus: 401 });
  });

  it('refreshes proactively before expiresAt', async () => {
    expiresInMs = 40_000; // refresh lead is 30 s by default; use a 39.9 s lead to fire at once
    let calls = 0;
    const client = new EmbedClient({ apiBase: url, token: 'valid-a', fetchToken: async () => `valid-b${++calls}`, refreshLeadMs: 39_900 });
    await client.loadSession();
    await expect.poll(() => calls, { timeout: 2_000 }).toBeGreaterThanOrEqual(1);
    expiresInMs = 600_000;
    client.dispose();
  });

  it('maps unknown codes to internal_error and unreachable servers to network_error', async () => {
    const client = new EmbedClient({ apiBase: url, token: 'valid-1' });
    await expect(client.json('/v1/weird')).rejects.toMatchObject({ code: 'internal_error', httpStatus: 418 });
    const offline = new EmbedClient({ apiBase: 'http://127.0.0.1:9', token: 'valid-1' });
    await expect(offline.json('/v1/ping')).rejects.toMatchObject({ code: 'network_error' });
  });

  it('reports a failing fetchToken as token_fetch_failed, without the host\'s exception text, and sends nothing', async () => {
    seen.length = 0;
    const client = new EmbedClient({
      apiBase: url,
      fetchToken: () => Promise.reject(new Error('host session cookie abc123 expired')),
    });
    const failure = await client.json('/v1/ping').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(EmbedRequestError);
    expect(failure).toMatchObject({ code: 'token_fetch_failed', message: 'The fetchToken callback failed.' });
    expect(String((failure as Error).message)).not.toContain('abc123');
    expect(seen).toEqual([]);
  });

  it('refuses to send without credentials', async () => {
    const client = new EmbedClient({ apiBase: url });
    await expect(client.json('/v1/ping')).rejects.toMatchObject({ code: 'token_missing' });
  });
});
