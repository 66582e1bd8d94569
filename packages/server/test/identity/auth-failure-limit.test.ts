import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';
import { STORE_KINDS } from '../helpers/stores.js';
import { mint, tamperPart } from './token-fixtures.js';
import { metricsRegistry } from '../../src/metrics.js';

const LIMIT = 3;

/** Every answer of this suite comes from one of these addresses, so each test has its own. */
function fromAddress(perch: TestPerch, remoteAddress: string, request: { method: 'GET' | 'POST'; url: string; headers: Record<string, string>; payload?: string }) {
  return perch.app.inject({ ...request, remoteAddress });
}

const throttledCount = async (group: string) => (await metricsRegistry.getSingleMetric('perch_auth_failures_throttled_total')!.get()).values.find((v) => v.labels.group === group)?.value ?? 0;

describe('failed-authentication limit per client address', () => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch('embedded', { overrides: { limits: { authFailuresPerMinute: LIMIT, tokenRatePerMinute: 1_000, apiKeyRatePerMinute: 1_000 } } });
  });
  afterAll(async () => perch?.close());

  it('embed routes: after the limit of refused tokens, the address gets 429 before any token is checked, and those refusals are not audited one by one', async () => {
    const { token } = await mint(perch);
    const forged = tamperPart(token, 3);
    const session = (address: string, bearer: string) => fromAddress(perch, address, { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${bearer}` } });

    // Up to and including the failure that goes over the limit: each is checked, refused and audited.
    for (let i = 0; i <= LIMIT; i++) {
      const refused = await session('198.51.100.7', forged);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('token_decryption_failed');
      expect(perch.audit.byRequest(String(refused.headers['x-request-id']))).toMatchObject([{ action: 'token.reject', outcome: 'refused', ip: '198.51.100.7' }]);
    }
    const before = await throttledCount('embed');
    // Now even a valid token from that address is refused, without being looked at.
    const throttled = await session('198.51.100.7', token);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(perch.audit.byRequest(String(throttled.headers['x-request-id']))).toEqual([]);
    expect(await throttledCount('embed')).toBe(before + 1);
    // Another address is not affected, and neither are the token's own rate limits.
    expect((await session('198.51.100.8', token)).statusCode).toBe(200);
  });

  it('API-key routes: refused keys count against the address, a valid key from elsewhere still works', async () => {
    const mintFrom = (address: string, key: string) =>
      fromAddress(perch, address, {
        method: 'POST',
        url: '/v1/embed/tokens',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ user: { distinctId: 'alice', role: 'viewer' } }),
      });
    const wrongKey = `pk_test_${'W'.repeat(43)}`;
    for (let i = 0; i <= LIMIT; i++) {
      const refused = await mintFrom('203.0.113.20', wrongKey);
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('api_key_invalid');
    }
    // A valid key this process has never authenticated is refused without being looked up.
    const neverUsed = (await perch.ctx.apiKeys.create({ workspaceId: 'default', name: 'never used', env: 'test', scopes: ['tokens:create'] })).key;
    const throttled = await mintFrom('203.0.113.20', neverUsed);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('rate_limited');
    expect(perch.audit.byRequest(String(throttled.headers['x-request-id']))).toEqual([]);
    expect((await mintFrom('203.0.113.21', neverUsed)).statusCode).toBe(201);
  });

  it('counts refusals only: successful requests from an address never throttle it', async () => {
    const { token } = await mint(perch);
    for (let i = 0; i < LIMIT * 3; i++) {
      const answer = await fromAddress(perch, '192.0.2.30', { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}` } });
      expect(answer.statusCode).toBe(200);
    }
  });
});

/**
 * The `n`th distinct forgery of `token`: one character of its ciphertext changed. The last
 * character is left alone, since some of its bits may be padding that decoding ignores.
 */
function forged(token: string, n: number): string {
  const parts = token.split('.');
  const ciphertext = parts[3]!;
  const position = n % (ciphertext.length - 1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.replace(ciphertext[position]!, '');
  parts[3] = ciphertext.slice(0, position) + alphabet[Math.floor(n / (ciphertext.length - 1)) % alphabet.length] + ciphertext.slice(position + 1);
  return parts.join('.');
}

describe.each(STORE_KINDS)('one noisy client behind a shared address (%s store)', (kind) => {
  const SHARED = '10.0.0.1';
  const FLOOD = 1_000;
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch(kind, { overrides: { limits: { authFailuresPerMinute: LIMIT, tokenRatePerMinute: 10_000, apiKeyRatePerMinute: 10_000 } } });
  });
  afterAll(async () => perch?.close());

  const embedFrom = (bearer: string) => fromAddress(perch, SHARED, { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${bearer}` } });
  const rejections = () => perch.audit.events.filter((event) => event.action === 'token.reject' && event.ip === SHARED).length;

  it(`embed: after ${FLOOD} forged tokens, a token already verified keeps working; an unknown valid one gets 429 without decryption or audit`, async () => {
    // One tenant's dashboard has been working from the shared address.
    const { token: used } = await mint(perch, { user: { distinctId: 'good', role: 'viewer', attributes: { customerId: 'acme' } } });
    expect((await embedFrom(used)).statusCode).toBe(200);
    // A valid token that has never been presented: the limiter cannot tell it from a forgery without decrypting it.
    const { token: unknown } = await mint(perch, { user: { distinctId: 'late', role: 'viewer', attributes: { customerId: 'globex' } } });

    // Another tenant's broken script floods forged tokens from the same address.
    const { token: template } = await mint(perch, { user: { distinctId: 'noisy', role: 'viewer', attributes: { customerId: 'initech' } } });
    const keyLookups = vi.spyOn(perch.ctx.keyring, 'keyFor');
    const statuses = new Map<number, number>();
    for (let i = 0; i < FLOOD; i++) {
      const answer = await embedFrom(forged(template, i));
      statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    }
    // Only the failures up to the one that went over the limit were decrypted and audited.
    expect(Object.fromEntries(statuses)).toEqual({ 401: LIMIT + 1, 429: FLOOD - LIMIT - 1 });
    expect(keyLookups).toHaveBeenCalledTimes(LIMIT + 1);
    expect(rejections()).toBe(LIMIT + 1);

    // The tenant whose token was already verified is not locked out.
    const kept = await embedFrom(used);
    expect(kept.statusCode, kept.body).toBe(200);
    expect(kept.json().distinctId).toBe('good');

    // A credential the process does not know yet is refused like a forgery: no decryption, no audit.
    const refused = await embedFrom(unknown);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(perch.audit.byRequest(String(refused.headers['x-request-id']))).toEqual([]);
    expect(keyLookups).toHaveBeenCalledTimes(LIMIT + 1);
    expect(rejections()).toBe(LIMIT + 1);
    keyLookups.mockRestore();
  });

  it('embed: a cached token that is revoked since gets the 429 from a throttled address, unaudited', async () => {
    const { token, tokenId } = await mint(perch, { user: { distinctId: 'revoked-later', role: 'viewer', attributes: { customerId: 'acme' } } });
    // SHARED is throttled by the test above; this token is verified from another address first.
    expect((await fromAddress(perch, '10.0.0.2', { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await embedFrom(token)).statusCode).toBe(200);
    const revoked = await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { authorization: `Bearer ${perch.adminKey}` }, payload: { tokenId } });
    expect(revoked.statusCode).toBe(201);
    const refused = await embedFrom(token);
    expect(refused.statusCode).toBe(429);
    expect(perch.audit.byRequest(String(refused.headers['x-request-id']))).toEqual([]);
    // From an address that is not throttled, the revocation is what the client learns.
    const elsewhere = await fromAddress(perch, '10.0.0.2', { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}` } });
    expect(elsewhere.json().error.code).toBe('token_revoked');
  });

  it(`API keys: after ${FLOOD} unknown keys, a key already authenticated keeps working; a valid key never used gets 429 without a store lookup`, async () => {
    const listFrom = (key: string) => fromAddress(perch, SHARED, { method: 'GET', url: '/v1/api-keys', headers: { authorization: `Bearer ${key}` } });
    const tenantKey = (await perch.ctx.apiKeys.create({ workspaceId: 'default', name: 'tenant backend', env: 'live', scopes: ['admin'] })).key;
    const neverUsed = (await perch.ctx.apiKeys.create({ workspaceId: 'default', name: 'never used', env: 'live', scopes: ['admin'] })).key;
    expect((await listFrom(tenantKey)).statusCode).toBe(200);

    const authentications = vi.spyOn(perch.ctx.apiKeys, 'authenticate');
    const statuses = new Map<number, number>();
    for (let i = 0; i < FLOOD; i++) {
      const answer = await listFrom(`pk_live_${String(i).padStart(43, 'F')}`);
      statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    }
    // Each route group counts its own failures: this flood trips the API-key group's limit anew.
    expect(Object.fromEntries(statuses)).toEqual({ 401: LIMIT + 1, 429: FLOOD - LIMIT - 1 });
    expect(authentications).toHaveBeenCalledTimes(LIMIT + 1);

    const kept = await listFrom(tenantKey);
    expect(kept.statusCode, kept.body).toBe(200);
    const refused = await listFrom(neverUsed);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe('rate_limited');
    expect(perch.audit.byRequest(String(refused.headers['x-request-id']))).toEqual([]);
    expect(authentications).toHaveBeenCalledTimes(LIMIT + 2);
    authentications.mockRestore();
  });
});

describe('X-Forwarded-For while trustProxy is off', () => {
  it('logs one warning, naming the setting, at the first request that carries it', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    });
    const perch = await startTestPerch('embedded', { logger: pino({ level: 'warn' }, sink) });
    try {
      const warnings = () => lines.filter((line) => line.setting === 'trustProxy');
      await perch.app.inject({ method: 'GET', url: '/healthz' });
      expect(warnings()).toEqual([]);
      for (const address of ['203.0.113.1', '203.0.113.2']) {
        await perch.app.inject({ method: 'GET', url: '/v1/embed/session', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': address } });
      }
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatchObject({ level: 40, env: 'PERCH_TRUST_PROXY', peer: '127.0.0.1' });
      expect(String(warnings()[0]!.msg)).toContain('limits.authFailuresPerMinute');
      expect(JSON.stringify(lines)).not.toContain('203.0.113.');
    } finally {
      await perch.close();
    }
  });

  it('says nothing when trustProxy is set', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const perch = await startTestPerch('embedded', { overrides: { trustProxy: 'loopback' }, logger: pino({ level: 'warn' }, sink) });
    try {
      await perch.app.inject({ method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '203.0.113.1' } });
      expect(lines.join('')).not.toContain('trustProxy');
    } finally {
      await perch.close();
    }
  });
});

describe('per-credential rate limits key on the authenticated credential', () => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch('embedded', { overrides: { limits: { apiKeyRatePerMinute: LIMIT, authFailuresPerMinute: 1_000 } } });
  });
  afterAll(async () => perch?.close());

  it('gives one API key one bucket however the request spells it (spacing, x-api-key)', async () => {
    const spellings: Record<string, string>[] = [
      { authorization: `Bearer ${perch.adminKey}` },
      { authorization: `Bearer  ${perch.adminKey}` },
      { authorization: `Bearer ${perch.adminKey}   ` },
      { 'x-api-key': perch.adminKey },
    ];
    const answers = [];
    for (const headers of spellings) answers.push(await perch.app.inject({ method: 'GET', url: '/v1/api-keys', headers }));
    expect(answers.slice(0, LIMIT).map((a) => a.statusCode)).toEqual([200, 200, 200]);
    expect(answers[LIMIT]!.statusCode).toBe(429);
    expect(answers[LIMIT]!.json().error.code).toBe('rate_limited');
  });
});

describe('trustProxy', () => {
  const rejectedFrom = async (perch: TestPerch) => {
    const answer = await perch.app.inject({ method: 'GET', url: '/v1/embed/session', remoteAddress: '127.0.0.1', headers: { authorization: 'Bearer not-a-token', 'x-forwarded-for': '198.51.100.99' } });
    expect(answer.statusCode).toBe(401);
    return perch.audit.byRequest(String(answer.headers['x-request-id']))[0]?.ip;
  };

  it('ignores X-Forwarded-For by default: the peer is the client', async () => {
    const perch = await startTestPerch('embedded');
    try {
      expect(await rejectedFrom(perch)).toBe('127.0.0.1');
    } finally {
      await perch.close();
    }
  });

  it('takes the client address from X-Forwarded-For when the peer is a trusted proxy', async () => {
    const perch = await startTestPerch('embedded', { overrides: { trustProxy: 'loopback' } });
    try {
      expect(await rejectedFrom(perch)).toBe('198.51.100.99');
    } finally {
      await perch.close();
    }
  });
});
