import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { createPerchClient, PerchApiError } from '../src/index.js';

const API_KEY = 'pk_test_' + 'a1B2c3D4'.repeat(6);
let app: FastifyInstance;
let baseUrl: string;
const received: Array<{ url: string; headers: Record<string, unknown>; body: unknown }> = [];

beforeAll(async () => {
  // forceCloseConnections: a timed-out client leaves a socket that would otherwise hold close().
  app = Fastify({ forceCloseConnections: true });
  app.addHook('preHandler', async (request) => {
    received.push({ url: request.url, headers: request.headers, body: request.body });
  });
  app.post<{ Body: { user: { role: string; distinctId: string } } }>('/v1/embed/tokens', async (request, reply) => {
    if (request.headers.authorization !== `Bearer ${API_KEY}`) {
      return reply.code(401).send({ error: { code: 'api_key_invalid', message: 'Invalid API key.', requestId: 'req-auth' } });
    }
    // A workspace may accept fewer roles than the built-in four: Perch refuses these itself.
    if (request.body.user.role === 'admin') {
      return reply.code(400).send({ error: { code: 'unknown_role', message: 'user.role: unknown role', requestId: 'req-role', path: 'user.role' } });
    }
    if (request.body.user.distinctId === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_000));
    if (request.body.user.distinctId === 'teapot') return reply.code(503).header('x-request-id', 'req-hdr').send('<html>down</html>');
    return reply.code(201).send({ token: `tok.${request.body.user.distinctId}`, tokenId: 'tid-1', expiresAt: '2030-01-01T00:00:00.000Z' });
  });
  app.post('/v1/revocations', (_request, reply) => reply.code(201).send({ revoked: true }));
  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

describe('createPerchClient', () => {
  it('mints a token with the API key in the Authorization header and the documented body', async () => {
    received.length = 0;
    const perch = createPerchClient({ apiKey: API_KEY, baseUrl: baseUrl + '/' });
    const input = {
      user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme', regions: ['EMEA'] } },
      scope: { dashboards: ['sales'], assistant: false },
      ttlSeconds: 300,
      origins: ['http://127.0.0.1:3000'],
    };
    await expect(perch.createEmbedToken(input)).resolves.toEqual({ token: 'tok.alice', tokenId: 'tid-1', expiresAt: '2030-01-01T00:00:00.000Z' });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ url: '/v1/embed/tokens', body: input });
    expect(received[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    expect(received[0]!.headers.cookie).toBeUndefined();
  });

  it('maps API errors to PerchApiError with code, status, requestId and path', async () => {
    const perch = createPerchClient({ apiKey: API_KEY, baseUrl });
    const error = await perch.createEmbedToken({ user: { distinctId: 'bob', role: 'admin' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PerchApiError);
    expect(error).toBeInstanceOf(PerchError);
    expect(error).toMatchObject({ code: 'unknown_role', status: 400, requestId: 'req-role', path: 'user.role' });
    const wrongKey = createPerchClient({ apiKey: 'pk_live_' + 'Z'.repeat(43), baseUrl });
    await expect(wrongKey.createEmbedToken({ user: { distinctId: 'a', role: 'viewer' } })).rejects.toMatchObject({ code: 'api_key_invalid', status: 401, requestId: 'req-auth' });
    await expect(perch.createEmbedToken({ user: { distinctId: 'teapot', role: 'viewer' } })).rejects.toMatchObject({ code: 'internal_error', status: 503, requestId: 'req-hdr' });
  });

  it('validates the payload locally before calling Perch', async () => {
    received.length = 0;
    const perch = createPerchClient({ apiKey: API_KEY, baseUrl });
    await expect(perch.createEmbedToken({ user: { distinctId: 'a', role: 'viewer', attributes: { 'bad-key': 'x' } } })).rejects.toMatchObject({
      code: 'invalid_attribute_key',
      path: 'user.attributes.bad-key',
    });
    await expect(perch.createEmbedToken({ user: { distinctId: 'a', role: 'viewer' }, origins: ['https://x.com/path'] })).rejects.toMatchObject({ code: 'invalid_origin', path: 'origins[0]' });
    // Role and TTL are checked against the same schema Perch validates with, with Perch's codes.
    await expect(perch.createEmbedToken({ user: { distinctId: 'a', role: 'superuser' } })).rejects.toMatchObject({ code: 'unknown_role', path: 'user.role' });
    await expect(perch.createEmbedToken({ user: { distinctId: 'a', role: 'viewer' }, ttlSeconds: 86_401 })).rejects.toMatchObject({ code: 'ttl_out_of_range', path: 'ttlSeconds' });
    expect(received).toEqual([]);
  });

  it('times out with network_error and reports unreachable servers the same way', async () => {
    const perch = createPerchClient({ apiKey: API_KEY, baseUrl, timeoutMs: 200 });
    await expect(perch.createEmbedToken({ user: { distinctId: 'slow', role: 'viewer' } })).rejects.toMatchObject({ code: 'network_error', status: 0 });
    const offline = createPerchClient({ apiKey: API_KEY, baseUrl: 'http://127.0.0.1:9' });
    await expect(offline.createEmbedToken({ user: { distinctId: 'a', role: 'viewer' } })).rejects.toMatchObject({ code: 'network_error' });
  });

  it('revokes by tokenId or distinctId', async () => {
    received.length = 0;
    const perch = createPerchClient({ apiKey: API_KEY, baseUrl });
    await perch.revokeToken({ tokenId: 'tid-1' });
    await perch.revokeToken({ distinctId: 'alice' });
    expect(received.map((r) => [r.url, r.body])).toEqual([
      ['/v1/revocations', { tokenId: 'tid-1' }],
      ['/v1/revocations', { distinctId: 'alice' }],
    ]);
  });

  it('refuses malformed API keys without echoing them', () => {
    const call = () => createPerchClient({ apiKey: 'sk_secret_value', baseUrl });
    expect(call).toThrow(PerchError);
    expect(call).toThrow(expect.objectContaining({ code: 'api_key_invalid', message: expect.not.stringContaining('sk_secret_value') }));
  });
});
