import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { startTestPerch, TestClock, type TestPerch } from '../helpers/test-perch.js';
import { STORE_KINDS } from '../helpers/stores.js';
import { ALICE, createApiKey } from './token-fixtures.js';
import { createLogger } from '../../src/context.js';
import { loadConfig } from '../../src/config.js';

describe.each(STORE_KINDS)('API keys and workspace routes (%s store)', (kind) => {
  let perch: TestPerch;
  const clock = new TestClock();
  beforeAll(async () => {
    perch = await startTestPerch(kind, { clock, overrides: { limits: { apiKeyRatePerMinute: 40 } } });
  });
  afterAll(async () => perch?.close());

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, key = perch.adminKey) =>
    perch.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });

  it('creates a key shown once, stores only its SHA-256, and lists it without the secret', async () => {
    const created = await admin('POST', '/v1/api-keys', { name: 'backend', env: 'live', scopes: ['tokens:create'] });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json() as { key: string; apiKey: { id: string; prefix: string } };
    expect(key).toMatch(/^pk_live_[0-9A-Za-z]{43}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    const row = await perch.ctx.store.db.selectFrom('api_keys').selectAll().where('id', '=', apiKey.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key);
    const list = await admin('GET', '/v1/api-keys');
    expect(list.body).not.toContain(key);
    const listed = (list.json() as { apiKeys: Array<Record<string, unknown>> }).apiKeys.find((k) => k.id === apiKey.id);
    expect(listed).toMatchObject({ name: 'backend', env: 'live', scopes: ['tokens:create'], prefix: apiKey.prefix, lastUsedAt: null });
    expect(listed).toHaveProperty('createdAt');
    // Using the key records last use.
    await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': key }, payload: ALICE });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = (await admin('GET', '/v1/api-keys')).json() as { apiKeys: Array<Record<string, unknown>> };
    expect(again.apiKeys.find((k) => k.id === apiKey.id)?.lastUsedAt).not.toBeNull();
  });

  it('a tokens:create key cannot use admin routes', async () => {
    const key = await createApiKey(perch, 'live', ['tokens:create']);
    const response = await admin('GET', '/v1/api-keys', undefined, key);
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('insufficient_scope');
  });

  it('revokes a key: it stops working at once', async () => {
    const created = (await admin('POST', '/v1/api-keys', { name: 'to revoke', env: 'test' })).json() as { key: string; apiKey: { id: string } };
    const mintWith = () => perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': created.key }, payload: ALICE });
    expect((await mintWith()).statusCode).toBe(201);
    const revoked = await admin('DELETE', `/v1/api-keys/${created.apiKey.id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().apiKey.revokedAt).not.toBeNull();
    const refused = await mintWith();
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('api_key_revoked');
    expect(perch.audit.events.some((e) => e.action === 'api_key.revoke' && e.resource === `api-key:${created.apiKey.id}`)).toBe(true);
  });

  it('rotates a key: the old one works until its deadline, the new one at once', async () => {
    const created = (await admin('POST', '/v1/api-keys', { name: 'rotating', env: 'live' })).json() as { key: string; apiKey: { id: string } };
    const rotated = await admin('POST', `/v1/api-keys/${created.apiKey.id}/rotate`, { gracePeriodSeconds: 3600 });
    expect(rotated.statusCode).toBe(201);
    const body = rotated.json() as { key: string; apiKey: { id: string }; previous: { expiresAt: string; replacedBy: string } };
    expect(body.key).not.toBe(created.key);
    expect(body.previous.replacedBy).toBe(body.apiKey.id);
    const mintWith = (key: string) => perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': key }, payload: ALICE });
    expect((await mintWith(created.key)).statusCode).toBe(201);
    expect((await mintWith(body.key)).statusCode).toBe(201);
    clock.advance(3601);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // let the 1 s authentication cache lapse
    const old = await mintWith(created.key);
    expect(old.statusCode).toBe(401);
    expect(old.json().error.code).toBe('api_key_expired');
    expect((await mintWith(body.key)).statusCode).toBe(201);
    const twice = await admin('POST', `/v1/api-keys/${created.apiKey.id}/rotate`, {});
    expect(twice.statusCode).toBe(409);
  });

  it('refuses bad key-management input with a 4xx and changes nothing', async () => {
    // lastUsedAt is written off the request path, so it is left out of the comparison.
    const snapshot = async () =>
      ((await admin('GET', '/v1/api-keys')).json() as { apiKeys: Array<Record<string, unknown>> }).apiKeys.map(({ lastUsedAt: _lastUsed, ...rest }) => rest);
    const before = await snapshot();
    for (const [payload, code, path] of [
      [{ name: '' }, 'value_too_large', 'name'],
      [{ name: 'x', scopes: ['root'] }, 'invalid_request', 'scopes[0]'],
      [{ name: 'x', env: 'prod' }, 'invalid_request', 'env'],
      [{ name: 'x', extra: 1 }, 'unknown_field', 'extra'],
      [{ name: 'x', expiresAt: '2000-01-01T00:00:00Z' }, 'invalid_request', 'expiresAt'],
    ] as const) {
      const response = await admin('POST', '/v1/api-keys', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.path).toBe(path);
      if (code !== 'value_too_large') expect(response.json().error.code).toBe(code);
    }
    expect((await admin('DELETE', '/v1/api-keys/key_nope')).statusCode).toBe(404);
    expect(await snapshot()).toEqual(before);
  });

  it('replaces the authorized origins atomically and refuses malformed ones', async () => {
    const put = await admin('PUT', '/v1/workspace/origins', { origins: ['https://b.example', 'https://a.example:8443', 'https://b.example'] });
    expect(put.statusCode).toBe(200);
    expect(put.json().origins).toEqual(['https://a.example:8443', 'https://b.example']);
    const bad = await admin('PUT', '/v1/workspace/origins', { origins: ['https://ok.example', 'javascript:alert(1)'] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'invalid_origin', path: 'origins[1]' });
    expect((await admin('GET', '/v1/workspace/origins')).json().origins).toEqual(['https://a.example:8443', 'https://b.example']);
    const audit = perch.audit.events.find((e) => e.action === 'origins.update' && e.outcome === 'success');
    expect(audit?.details).toMatchObject({ after: ['https://a.example:8443', 'https://b.example'] });
  });

  it('rate-limits per API key with 429 and Retry-After', async () => {
    const key = await createApiKey(perch, 'test');
    let limited: { statusCode: number; headers: Record<string, unknown>; body: string } | undefined;
    for (let i = 0; i < 60 && !limited; i++) {
      const response = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': key }, payload: ALICE });
      if (response.statusCode === 429) limited = response;
    }
    expect(limited).toBeDefined();
    expect(JSON.parse(limited!.body).error.code).toBe('rate_limited');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    // Another key is not affected.
    const other = await createApiKey(perch, 'test');
    expect((await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': other }, payload: ALICE })).statusCode).toBe(201);
  });
});

describe('logs', () => {
  it('never contain tokens or API keys', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const captured = createLogger(loadConfig({ env: {}, overrides: { logLevel: 'trace' } }), sink);
    const perch = await startTestPerch('embedded');
    try {
      // Route a copy of every request's log through the captured logger as well.
      const { buildApp } = await import('../../src/app.js');
      const app = await buildApp({ ...perch.ctx, logger: captured });
      const minted = await app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { authorization: `Bearer ${perch.adminKey}` }, payload: ALICE });
      const token = (minted.json() as { token: string }).token;
      await app.inject({ method: 'GET', url: `/v1/embed/session?token=${token}` });
      await app.inject({ method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}x` } });
      await app.close();
      const text = lines.join('');
      expect(text.length).toBeGreaterThan(0);
      expect(text).not.toContain(token.slice(0, 40));
      expect(text).not.toContain(perch.adminKey);
      expect(text).toContain('"route":"/v1/embed/session"');
    } finally {
      await perch.close();
    }
  });
});

describe.each(STORE_KINDS)('admin writes when the audit trail cannot record them (%s store)', (kind) => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch(kind, { overrides: { limits: { apiKeyRatePerMinute: 1_000 } } });
  });
  afterAll(async () => perch?.close());

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
    perch.app.inject({ method, url, headers: { authorization: `Bearer ${perch.adminKey}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const keysOf = async () => (await admin('GET', '/v1/api-keys')).json().apiKeys as Array<{ id: string; expiresAt: string | null; replacedBy: string | null; revokedAt: string | null }>;
  /** Run `requests` while every audit event fails; each must answer 503 audit_unavailable. */
  const whileAuditFails = async (requests: () => Promise<{ statusCode: number; json(): { error: { code: string } } }>) => {
    perch.audit.failing = true;
    try {
      const response = await requests();
      expect(response.statusCode).toBe(503);
      expect(response.json().error.code).toBe('audit_unavailable');
    } finally {
      perch.audit.failing = false;
    }
  };

  it('undoes what grants access: a created key is gone, a rotation is reverted, origins are restored', async () => {
    const created = (await admin('POST', '/v1/api-keys', { name: 'rotate me', env: 'live' })).json() as { key: string; apiKey: { id: string } };
    const before = await keysOf();

    await whileAuditFails(() => admin('POST', '/v1/api-keys', { name: 'never shown', env: 'live' }));
    await whileAuditFails(() => admin('POST', `/v1/api-keys/${created.apiKey.id}/rotate`, { gracePeriodSeconds: 0 }));
    expect(await keysOf()).toEqual(before);
    // The old key still works and can be rotated for real now.
    const mint = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': created.key }, payload: ALICE });
    expect(mint.statusCode).toBe(201);
    expect((await admin('POST', `/v1/api-keys/${created.apiKey.id}/rotate`, {})).statusCode).toBe(201);

    expect((await admin('PUT', '/v1/workspace/origins', { origins: ['https://app.example.com'] })).statusCode).toBe(200);
    await whileAuditFails(() => admin('PUT', '/v1/workspace/origins', { origins: ['https://evil.example'] }));
    expect((await admin('GET', '/v1/workspace/origins')).json().origins).toEqual(['https://app.example.com']);
  });

  it('keeps what takes access away: a revoked key stays revoked', async () => {
    const created = (await admin('POST', '/v1/api-keys', { name: 'revoke me', env: 'live' })).json() as { key: string; apiKey: { id: string } };
    await whileAuditFails(() => admin('DELETE', `/v1/api-keys/${created.apiKey.id}`));
    const refused = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': created.key }, payload: ALICE });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('api_key_revoked');
  });
});
