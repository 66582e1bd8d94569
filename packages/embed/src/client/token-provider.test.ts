import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbedClient } from './embed-client.js';
import { createTokenProvider } from './token-provider.js';

/** A real HTTP server: `valid-<n>` tokens pass until the test expires them. */
const app = Fastify();
const expired = new Set<string>();
let url: string;

beforeAll(async () => {
  app.addHook('onRequest', async (request, reply) => {
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!token.startsWith('valid-') || expired.has(token)) return reply.code(401).send({ error: { code: 'token_expired', message: 'expired', requestId: 'r-401' } });
  });
  app.get('/v1/ping', (request) => ({ token: request.headers.authorization }));
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

describe('createTokenProvider', () => {
  it('mints one token for two components on a page, and one more when that token expires', async () => {
    let minted = 0;
    const provider = createTokenProvider(async () => `valid-${++minted}`);
    const dashboard = new EmbedClient({ apiBase: url, fetchToken: provider });
    const assistant = new EmbedClient({ apiBase: url, fetchToken: provider });
    const first = await Promise.all([dashboard.json<{ token: string }>('/v1/ping'), assistant.json<{ token: string }>('/v1/ping')]);
    expect(first.map((b) => b.token)).toEqual(['Bearer valid-1', 'Bearer valid-1']);
    expect(minted).toBe(1);
    // The shared token expires: both components refresh, and the page still mints only one more.
    expired.add('valid-1');
    const second = await Promise.all([dashboard.json<{ token: string }>('/v1/ping'), assistant.json<{ token: string }>('/v1/ping')]);
    expect(second.map((b) => b.token)).toEqual(['Bearer valid-2', 'Bearer valid-2']);
    expect(minted).toBe(2);
    // A component that joins later gets the fresh token without a mint.
    const late = new EmbedClient({ apiBase: url, fetchToken: provider });
    expect((await late.json<{ token: string }>('/v1/ping')).token).toBe('Bearer valid-2');
    expect(minted).toBe(2);
  });

  it('never hands back the token a caller says is expiring, and reuses nothing after reuseMs', async () => {
    let minted = 0;
    const provider = createTokenProvider(async () => `t-${++minted}`, { reuseMs: 0 });
    expect(await provider()).toBe('t-1');
    expect(await provider({ current: undefined })).toBe('t-2');
    const eager = createTokenProvider(async () => `u-${++minted}`);
    const token = await eager();
    expect(await eager({ current: token })).not.toBe(token);
  });
});
