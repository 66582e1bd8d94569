import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';
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
    const throttled = await mintFrom('203.0.113.20', perch.adminKey);
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('rate_limited');
    expect(perch.audit.byRequest(String(throttled.headers['x-request-id']))).toEqual([]);
    expect((await mintFrom('203.0.113.21', perch.adminKey)).statusCode).toBe(201);
  });

  it('counts refusals only: successful requests from an address never throttle it', async () => {
    const { token } = await mint(perch);
    for (let i = 0; i < LIMIT * 3; i++) {
      const answer = await fromAddress(perch, '192.0.2.30', { method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}` } });
      expect(answer.statusCode).toBe(200);
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
