import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@perch/protocol';
import { startTestPerch, TestClock, type TestPerch } from '../helpers/test-perch.js';
import { STORE_KINDS } from '../helpers/stores.js';
import { ensureWorkspace } from '../../src/store/workspaces.js';
import { ALICE, craft, createApiKey, headerOf, mint, session, tamperPart, validClaims, withHeader } from './token-fixtures.js';

const APP_ORIGIN = 'https://app.example.com';
const OTHER_ORIGIN = 'https://other.example.com';

/**
 * One case per rule of DESIGN.md section 2 (claims, JOSE header allowlist) and section 4
 * (token transport, origins). Each case names the exact error code; none may produce a 5xx.
 */
describe.each(STORE_KINDS)('token verification (%s store)', (kind) => {
  let perch: TestPerch;
  const clock = new TestClock();
  let testToken: string;
  let liveToken: string;
  let liveBoundToken: string;
  let otherWorkspaceToken: string;
  let liveKey: string;

  beforeAll(async () => {
    perch = await startTestPerch(kind, { clock });
    await ensureWorkspace(perch.ctx.store.db, 'other', 'Other workspace');
    await perch.ctx.workspaces.load();
    await perch.ctx.keyring.load('other');
    await perch.ctx.workspaces.setOrigins('default', [APP_ORIGIN, OTHER_ORIGIN]);
    const otherKey = await perch.ctx.apiKeys.create({ workspaceId: 'other', name: 'other', env: 'test', scopes: ['tokens:create'] });
    liveKey = await createApiKey(perch, 'live');
    testToken = (await mint(perch)).token;
    liveToken = (await mint(perch, ALICE, liveKey)).token;
    liveBoundToken = (await mint(perch, { ...ALICE, origins: [APP_ORIGIN] }, liveKey)).token;
    otherWorkspaceToken = (await mint(perch, ALICE, otherKey.key)).token;
  });
  afterAll(async () => perch?.close());

  type Case = { name: string; code: string | null; run: () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }> };

  const cases: Case[] = [
    { name: 'a valid token', code: null, run: () => session(perch, testToken) },
    { name: 'a valid live token from an authorized origin', code: null, run: () => session(perch, liveToken, { origin: APP_ORIGIN }) },
    { name: 'a valid test token from a development origin', code: null, run: () => session(perch, testToken, { origin: 'http://localhost:3000' }) },
    { name: 'no Authorization header', code: 'token_missing', run: () => session(perch, undefined) },
    { name: 'a token in the URL (?token=)', code: 'token_in_url', run: () => session(perch, undefined, {}, `/v1/embed/session?token=${testToken}`) },
    { name: 'a token in the URL and the header', code: 'token_in_url', run: () => session(perch, testToken, {}, `/v1/embed/session?access_token=${testToken}`) },
    { name: 'an oversized header', code: 'token_too_large', run: () => session(perch, 'A'.repeat(20_000)) },
    { name: 'a scheme other than Bearer', code: 'token_malformed', run: () => session(perch, undefined, { authorization: `Basic ${testToken}` }) },
    { name: 'four compact parts', code: 'token_malformed', run: () => session(perch, testToken.split('.').slice(0, 4).join('.')) },
    { name: 'base64 padding (=)', code: 'token_malformed', run: () => session(perch, testToken.replace(/\.([^.]+)$/, '.$1==')) },
    { name: 'standard base64 alphabet (+ and /)', code: 'token_malformed', run: () => session(perch, testToken.replace(/\.([^.]{4})/, '.+/$1')) },
    { name: 'a non-empty encrypted-key part', code: 'token_malformed', run: () => session(perch, testToken.replace(/^([^.]+)\.\./, '$1.AAAA.')) },
    { name: 'a header that is not JSON', code: 'token_malformed', run: () => session(perch, testToken.replace(/^[^.]+/, 'bm90IGpzb24')) },
    { name: 'tampered ciphertext', code: 'token_decryption_failed', run: () => session(perch, tamperPart(testToken, 3)) },
    { name: 'tampered authentication tag', code: 'token_decryption_failed', run: () => session(perch, tamperPart(testToken, 4)) },
    { name: 'tampered IV', code: 'token_decryption_failed', run: () => session(perch, tamperPart(testToken, 2)) },
    {
      name: 'a tag swapped in from another workspace',
      code: 'token_decryption_failed',
      run: () => {
        const parts = testToken.split('.');
        parts[4] = otherWorkspaceToken.split('.')[4]!;
        return session(perch, parts.join('.'));
      },
    },
    {
      name: 'a kid swapped to another workspace',
      code: 'token_decryption_failed',
      run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), kid: headerOf(otherWorkspaceToken).kid })),
    },
    { name: 'an unknown kid', code: 'token_unknown_key', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), kid: 'tk_doesnotexist' })) },
    { name: 'a missing kid', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { alg: 'dir', enc: 'A256GCM' })) },
    ...['A256KW', 'RSA-OAEP-256', 'ECDH-ES', 'PBES2-HS256+A128KW', 'none', 'HS256', 'DIR'].map((alg) => ({
      name: `alg ${alg}`,
      code: 'token_header_invalid',
      run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), alg })),
    })),
    ...['A128GCM', 'A192GCM', 'A256CBC-HS512', 'a256gcm'].map((enc) => ({
      name: `enc ${enc}`,
      code: 'token_header_invalid',
      run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), enc })),
    })),
    { name: 'zip: DEF', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), zip: 'DEF' })) },
    { name: 'crit', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), crit: ['exp'], exp: 1 })) },
    {
      name: 'an embedded jwk',
      code: 'token_header_invalid',
      run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), jwk: { kty: 'oct', k: 'AAAA' } })),
    },
    { name: 'a jku', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), jku: 'https://evil.example/keys' })) },
    { name: 'an x5u', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), x5u: 'https://evil.example/cert' })) },
    { name: 'a typ or cty header', code: 'token_header_invalid', run: () => session(perch, withHeader(testToken, { ...headerOf(testToken), cty: 'JWT' })) },
    {
      name: 'an expired token (beyond 30 s of skew)',
      code: 'token_expired',
      run: async () => session(perch, await craft(perch, validClaims(perch, { exp: Math.floor(clock.now() / 1000) - 31 }))),
    },
    {
      name: 'an expired token within 30 s of skew',
      code: null,
      run: async () => session(perch, await craft(perch, validClaims(perch, { exp: Math.floor(clock.now() / 1000) - 20 }))),
    },
    {
      name: 'nbf in the future (beyond skew)',
      code: 'token_not_yet_valid',
      run: async () => session(perch, await craft(perch, validClaims(perch, { nbf: Math.floor(clock.now() / 1000) + 120 }))),
    },
    {
      name: 'iat in the future (beyond skew)',
      code: 'token_claims_invalid',
      run: async () => session(perch, await craft(perch, validClaims(perch, { iat: Math.floor(clock.now() / 1000) + 120 }))),
    },
    { name: 'the wrong aud', code: 'token_wrong_audience', run: async () => session(perch, await craft(perch, validClaims(perch, { aud: 'other' }))) },
    { name: 'the wrong iss', code: 'token_wrong_issuer', run: async () => session(perch, await craft(perch, validClaims(perch, { iss: 'someone-else' }))) },
    { name: 'a missing jti', code: 'token_claims_invalid', run: async () => session(perch, await craft(perch, validClaims(perch, { jti: undefined }))) },
    {
      name: 'sub differing from user.distinctId',
      code: 'token_claims_invalid',
      run: async () => session(perch, await craft(perch, validClaims(perch, { sub: 'mallory' }))),
    },
    {
      name: 'an unknown role in the claims',
      code: 'token_claims_invalid',
      run: async () => session(perch, await craft(perch, validClaims(perch, { user: { distinctId: 'alice', role: 'root', attributes: {} } }))),
    },
    {
      name: 'a nested object attribute in the claims',
      code: 'token_claims_invalid',
      run: async () => session(perch, await craft(perch, validClaims(perch, { user: { distinctId: 'alice', role: 'viewer', attributes: { a: { b: 1 } } } }))),
    },
    { name: 'an unknown env', code: 'token_claims_invalid', run: async () => session(perch, await craft(perch, validClaims(perch, { env: 'prod' }))) },
    { name: 'a token of another workspace used here with a forged aud', code: 'token_wrong_audience', run: async () => session(perch, await craft(perch, validClaims(perch), 'other')) },
    { name: 'a development token from a production origin', code: 'token_environment_mismatch', run: () => session(perch, testToken, { origin: APP_ORIGIN }) },
    { name: 'a live token from an unauthorized origin', code: 'origin_forbidden', run: () => session(perch, liveToken, { origin: 'https://evil.example' }) },
    { name: 'a live token from an origin the token does not list', code: 'origin_forbidden', run: () => session(perch, liveBoundToken, { origin: OTHER_ORIGIN }) },
    { name: 'a live token from an origin the token lists', code: null, run: () => session(perch, liveBoundToken, { origin: APP_ORIGIN }) },
    { name: 'a live token from a loopback origin not authorized', code: 'origin_forbidden', run: () => session(perch, liveToken, { origin: 'http://localhost:3000' }) },
    {
      name: 'a revoked token (by tokenId)',
      code: 'token_revoked',
      run: async () => {
        const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'revoke-one' } });
        const revoke = await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { 'x-api-key': perch.adminKey }, payload: { tokenId: minted.tokenId } });
        expect(revoke.statusCode).toBe(201);
        return session(perch, minted.token);
      },
    },
    {
      name: 'a revoked token from an unauthorized origin (which learns nothing about the revocation)',
      code: 'origin_forbidden',
      run: async () => {
        const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'revoked-elsewhere' } }, liveKey);
        const revoke = await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { 'x-api-key': perch.adminKey }, payload: { tokenId: minted.tokenId } });
        expect(revoke.statusCode).toBe(201);
        expect((await session(perch, minted.token)).json().error.code).toBe('token_revoked');
        return session(perch, minted.token, { origin: 'https://evil.example' });
      },
    },
    {
      name: 'a revoked user (by distinctId, issued before)',
      code: 'token_revoked',
      run: async () => {
        const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'revoke-all' } });
        await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { 'x-api-key': perch.adminKey }, payload: { distinctId: 'revoke-all' } });
        return session(perch, minted.token);
      },
    },
  ];

  it.each(cases)('$name → $code', async ({ code, run }) => {
    const response = await run();
    expect(response.statusCode).toBeLessThan(500);
    if (code === null) {
      expect(response.statusCode, response.body).toBe(200);
    } else {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      const body = JSON.parse(response.body) as { error: { code: string; message: string; requestId: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.requestId).toMatch(/^req_/);
      expect(response.body).not.toContain('stack');
      expect(response.body).not.toContain('acme');
    }
  });

  it('covers every token code of the error union that verification can produce', () => {
    const produced = new Set(cases.map((c) => c.code));
    // Read from the union itself, so a token code added to it later must get a case here too.
    // `token_fetch_failed` is the embed client's own (the host's callback failed): the server
    // never sees that request.
    const tokenCodes = ERROR_CODES.filter((code) => code.startsWith('token_') && code !== 'token_fetch_failed');
    for (const code of [...tokenCodes, 'origin_forbidden']) {
      expect(produced.has(code), code).toBe(true);
    }
  });

  it('revocation wins over the verified-token cache at once', async () => {
    const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'cached-then-revoked' } });
    expect((await session(perch, minted.token)).statusCode).toBe(200);
    expect((await session(perch, minted.token)).statusCode).toBe(200); // now served from the cache
    await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { 'x-api-key': perch.adminKey }, payload: { tokenId: minted.tokenId } });
    const after = await session(perch, minted.token);
    expect(after.json().error.code).toBe('token_revoked');
  });

  it('cached claims are one deeply frozen object: no request can change what a later one sees', async () => {
    const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'frozen-claims' } });
    const input = { authorization: `Bearer ${minted.token}`, url: '/v1/embed/session', origin: undefined };
    const first = await perch.ctx.verifier.verify(input);
    const again = await perch.ctx.verifier.verify(input);
    expect(again.cached).toBe(true);
    expect(again.claims).toBe(first.claims);
    expect(Object.isFrozen(first.claims)).toBe(true);
    expect(Object.isFrozen(first.claims.user)).toBe(true);
    expect(Object.isFrozen(first.claims.user.attributes)).toBe(true);
    expect(Object.isFrozen(first.claims.scope)).toBe(true);
    expect(() => {
      (first.claims.user.attributes as Record<string, unknown>)['customerId'] = 'globex';
    }).toThrow(TypeError);
    expect(again.claims.user.attributes).toEqual(ALICE.user.attributes);
  });

  it('a token minted after a distinctId revocation works', async () => {
    await perch.app.inject({ method: 'POST', url: '/v1/revocations', headers: { 'x-api-key': perch.adminKey }, payload: { distinctId: 'comes-back' } });
    clock.advance(2);
    const minted = await mint(perch, { ...ALICE, user: { ...ALICE.user, distinctId: 'comes-back' } });
    expect((await session(perch, minted.token)).statusCode).toBe(200);
  });

  it('a cached token still expires', async () => {
    const minted = await mint(perch, { ...ALICE, ttlSeconds: 60 });
    expect((await session(perch, minted.token)).statusCode).toBe(200);
    clock.advance(60 + 31);
    expect((await session(perch, minted.token)).json().error.code).toBe('token_expired');
  });

  it('a rejected token is audited with its code, and with the distinctId once decryption succeeded', async () => {
    const response = await session(perch, liveToken, { origin: 'https://evil.example' });
    const events = perch.audit.byRequest(response.headers['x-request-id'] as string);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'token.reject', outcome: 'refused', code: 'origin_forbidden', distinctId: 'alice' });
    const garbage = await session(perch, tamperPart(testToken, 3));
    expect(perch.audit.byRequest(garbage.headers['x-request-id'] as string)[0]).toMatchObject({ action: 'token.reject', code: 'token_decryption_failed', distinctId: null });
  });

  it('CORS echoes the exact origin with Vary: Origin on embed routes, and never on API-key routes', async () => {
    const embed = await session(perch, liveToken, { origin: APP_ORIGIN });
    expect(embed.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    expect(String(embed.headers.vary)).toMatch(/origin/i);
    const preflight = await perch.app.inject({ method: 'OPTIONS', url: '/v1/embed/tokens', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const embedPreflight = await perch.app.inject({ method: 'OPTIONS', url: '/v1/embed/session?x=1', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } });
    expect(embedPreflight.statusCode).toBe(204);
    expect(embedPreflight.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    const unknownPath = await perch.app.inject({ method: 'GET', url: '/v1/no-such-route', headers: { origin: APP_ORIGIN } });
    expect(unknownPath.statusCode).toBe(404);
    expect(unknownPath.headers['access-control-allow-origin']).toBeUndefined();
    const apiRoute = await perch.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { origin: APP_ORIGIN, 'x-api-key': perch.adminKey } });
    expect(apiRoute.statusCode).toBe(200);
    expect(apiRoute.headers['access-control-allow-origin']).toBeUndefined();
    const apiPreflight = await perch.app.inject({ method: 'OPTIONS', url: '/v1/api-keys', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } });
    expect(apiPreflight.statusCode).toBe(404);
    expect(apiPreflight.json().error.code).toBe('not_found');
    expect(apiPreflight.headers['access-control-allow-methods']).toBeUndefined();
    const opaqueOrigin = await session(perch, testToken, { origin: 'null' });
    expect(opaqueOrigin.headers['access-control-allow-origin']).toBeUndefined();
    const noOrigin = await session(perch, testToken);
    expect(noOrigin.headers['access-control-allow-origin']).toBeUndefined();
    expect(noOrigin.headers['access-control-expose-headers']).toBeUndefined();
  });

  it("every answer carries helmet's security headers and its request id: success, refusal, unknown route, preflight, API-key route", async () => {
    const answers = [
      await session(perch, liveToken, { origin: APP_ORIGIN }),
      await session(perch, liveToken, { origin: 'https://evil.example' }),
      await perch.app.inject({ method: 'GET', url: '/v1/no-such-route' }),
      await perch.app.inject({ method: 'OPTIONS', url: '/v1/embed/session', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'GET' } }),
      await perch.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { 'x-api-key': perch.adminKey } }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 403, 404, 204, 200]);
    for (const answer of answers) {
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
        'cross-origin-resource-policy': 'cross-origin',
        'referrer-policy': 'no-referrer',
      });
      expect(answer.headers['x-request-id']).toMatch(/^req_/);
      expect(answer.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('x-ratelimit-* go on API-key answers, not on allowed embed answers', async () => {
    const embed = await session(perch, liveToken, { origin: APP_ORIGIN });
    expect(embed.statusCode).toBe(200);
    expect(embed.headers['x-ratelimit-limit']).toBeUndefined();
    expect(embed.headers['x-ratelimit-remaining']).toBeUndefined();
    const api = await perch.app.inject({ method: 'GET', url: '/v1/api-keys', headers: { 'x-api-key': perch.adminKey } });
    expect(Number(api.headers['x-ratelimit-limit'])).toBeGreaterThan(0);
  });
});
