import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecipheriv } from 'node:crypto';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';
import { STORE_KINDS } from '../helpers/stores.js';
import { ALICE } from './token-fixtures.js';

const user = (attributes: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ user: { distinctId: 'alice', role: 'viewer', attributes }, ...extra });

/** One case per attribute and request rule of DESIGN.md section 2; each gets its exact code and path. */
const INVALID_BODIES: Array<{ name: string; body: string; code: string; path?: string }> = [
  { name: 'an unknown top-level field', body: JSON.stringify({ ...ALICE, admin: true }), code: 'unknown_field', path: 'admin' },
  { name: 'an unknown user field', body: JSON.stringify({ user: { ...ALICE.user, isAdmin: true } }), code: 'unknown_field', path: 'user.isAdmin' },
  { name: 'an unknown scope field', body: JSON.stringify({ ...ALICE, scope: { dashboards: [], sql: true } }), code: 'unknown_field', path: 'scope.sql' },
  { name: 'a missing user', body: JSON.stringify({ scope: {} }), code: 'missing_field', path: 'user' },
  { name: 'a missing distinctId', body: JSON.stringify({ user: { role: 'viewer' } }), code: 'missing_field', path: 'user.distinctId' },
  { name: 'a numeric distinctId', body: JSON.stringify({ user: { distinctId: 7, role: 'viewer' } }), code: 'invalid_type', path: 'user.distinctId' },
  { name: 'a NUL byte in distinctId', body: JSON.stringify({ user: { distinctId: 'al\u0000ice', role: 'viewer' } }), code: 'nul_byte', path: 'user.distinctId' },
  { name: 'an unknown role', body: JSON.stringify({ user: { distinctId: 'alice', role: 'superuser' } }), code: 'unknown_role', path: 'user.role' },
  { name: 'a role with different case', body: JSON.stringify({ user: { distinctId: 'alice', role: 'Admin' } }), code: 'unknown_role', path: 'user.role' },
  { name: 'an attribute key starting with a digit', body: user({ '1region': 'x' }), code: 'invalid_attribute_key', path: 'user.attributes.1region' },
  { name: 'an attribute key with a dash', body: user({ 'cust-id': 'x' }), code: 'invalid_attribute_key', path: 'user.attributes.cust-id' },
  { name: 'an attribute key of 65 characters', body: user({ ['a'.repeat(65)]: 'x' }), code: 'invalid_attribute_key' },
  { name: 'an empty attribute key', body: user({ '': 'x' }), code: 'invalid_attribute_key' },
  { name: 'a non-ASCII attribute key', body: user({ régión: 'x' }), code: 'invalid_attribute_key' },
  { name: 'the attribute key __proto__', body: '{"user":{"distinctId":"alice","role":"viewer","attributes":{"__proto__":{"isAdmin":true}}}}', code: 'forbidden_key', path: 'user.attributes.__proto__' },
  { name: 'the attribute key constructor', body: user({ constructor: 'x' }), code: 'forbidden_key', path: 'user.attributes.constructor' },
  { name: 'the attribute key prototype', body: user({ prototype: 'x' }), code: 'forbidden_key', path: 'user.attributes.prototype' },
  { name: '__proto__ at the top level', body: '{"__proto__":{"x":1},"user":{"distinctId":"alice","role":"viewer"}}', code: 'forbidden_key', path: '__proto__' },
  { name: '51 attributes', body: user(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i]))), code: 'too_many_attributes', path: 'user.attributes' },
  { name: 'a string of 1,025 bytes', body: user({ note: 'x'.repeat(1025) }), code: 'value_too_large', path: 'user.attributes.note' },
  { name: 'a string of 1,026 UTF-8 bytes in 342 characters', body: user({ note: '€'.repeat(342) }), code: 'value_too_large', path: 'user.attributes.note' },
  { name: 'a NUL byte in an attribute', body: user({ customerId: 'acme\u0000' }), code: 'nul_byte', path: 'user.attributes.customerId' },
  { name: 'a NUL byte in an array item', body: user({ regions: ['EMEA', 'x\u0000'] }), code: 'nul_byte', path: 'user.attributes.regions[1]' },
  { name: 'a null attribute', body: user({ customerId: null }), code: 'invalid_attribute_value', path: 'user.attributes.customerId' },
  { name: 'a nested object attribute', body: user({ customer: { id: 'acme' } }), code: 'invalid_attribute_value', path: 'user.attributes.customer' },
  { name: 'an array of objects', body: user({ regions: [{ r: 1 }] }), code: 'invalid_attribute_value', path: 'user.attributes.regions[0]' },
  { name: 'an array of booleans', body: user({ flags: [true] }), code: 'invalid_attribute_value', path: 'user.attributes.flags[0]' },
  { name: 'a nested array', body: user({ regions: [['EMEA']] }), code: 'invalid_attribute_value', path: 'user.attributes.regions[0]' },
  { name: 'an array of 1,001 items', body: user({ ids: Array.from({ length: 1001 }, (_, i) => i) }), code: 'value_too_large', path: 'user.attributes.ids' },
  { name: 'an infinite number (1e400)', body: '{"user":{"distinctId":"alice","role":"viewer","attributes":{"limit":1e400}}}', code: 'invalid_attribute_value', path: 'user.attributes.limit' },
  { name: 'attributes as an array', body: user(['acme']), code: 'invalid_type', path: 'user.attributes' },
  { name: 'duplicate JSON keys', body: '{"user":{"distinctId":"alice","role":"viewer","role":"admin"}}', code: 'duplicate_key', path: 'user.role' },
  { name: 'duplicate attribute keys', body: '{"user":{"distinctId":"alice","role":"viewer","attributes":{"customerId":"acme","customerId":"globex"}}}', code: 'duplicate_key', path: 'user.attributes.customerId' },
  { name: 'a TTL of 59 s', body: JSON.stringify({ ...ALICE, ttlSeconds: 59 }), code: 'ttl_out_of_range', path: 'ttlSeconds' },
  { name: 'a TTL of 86,401 s', body: JSON.stringify({ ...ALICE, ttlSeconds: 86_401 }), code: 'ttl_out_of_range', path: 'ttlSeconds' },
  { name: 'a fractional TTL', body: JSON.stringify({ ...ALICE, ttlSeconds: 600.5 }), code: 'invalid_type', path: 'ttlSeconds' },
  { name: 'an origin with a path', body: JSON.stringify({ ...ALICE, origins: ['https://app.example.com/'] }), code: 'invalid_origin', path: 'origins[0]' },
  { name: 'an origin with a port above 65535', body: JSON.stringify({ ...ALICE, origins: ['https://app.example.com:65536'] }), code: 'invalid_origin', path: 'origins[0]' },
  { name: 'an origin wildcard', body: JSON.stringify({ ...ALICE, origins: ['*'] }), code: 'invalid_origin', path: 'origins[0]' },
  { name: 'scope.dashboards as a string other than *', body: JSON.stringify({ ...ALICE, scope: { dashboards: 'all' } }), code: 'invalid_type', path: 'scope.dashboards' },
  { name: 'invalid JSON', body: '{"user":', code: 'invalid_json' },
  { name: 'attributes nested ten thousand levels deep', body: `{"user":{"distinctId":"alice","role":"viewer","attributes":{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}}}`, code: 'json_too_deep', path: `user.attributes.a${'[0]'.repeat(61)}` },
];

describe.each(STORE_KINDS)('token minting (%s store)', (kind) => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch(kind);
  });
  afterAll(async () => perch?.close());

  const post = (payload: string, headers: Record<string, string> = {}) =>
    perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { authorization: `Bearer ${perch.adminKey}`, 'content-type': 'application/json', ...headers }, payload });

  it.each(INVALID_BODIES)('refuses $name with $code', async ({ body, code, path }) => {
    const response = await post(body);
    expect(response.statusCode, response.body).toBe(400);
    const error = response.json().error as { code: string; path?: string; message: string };
    expect(error.code).toBe(code);
    if (path !== undefined) expect(error.path).toBe(path);
    // A refused mint is audited with its code.
    const events = perch.audit.byRequest(response.headers['x-request-id'] as string);
    expect(events).toEqual([expect.objectContaining({ action: 'token.mint', outcome: 'refused', code })]);
  });

  it('stores origins as browsers send them (host in lower case, no default port), so they match', async () => {
    const response = await post(JSON.stringify({ ...ALICE, origins: ['http://LocalHost:80'] }));
    expect(response.statusCode).toBe(201);
    const { token } = response.json() as { token: string };
    const fromBrowser = await perch.app.inject({ method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}`, origin: 'http://localhost' } });
    expect(fromBrowser.statusCode, fromBrowser.body).toBe(200);
  });

  it('mints a JWE dir/A256GCM with exactly alg, enc and kid in the header', async () => {
    const response = await post(JSON.stringify({ ...ALICE, ttlSeconds: 900, origins: ['https://app.example.com'] }));
    expect(response.statusCode).toBe(201);
    const { token, tokenId, expiresAt } = response.json() as { token: string; tokenId: string; expiresAt: string };
    const parts = token.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[1]).toBe('');
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(header).sort()).toEqual(['alg', 'enc', 'kid']);
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM' });
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now() + 850_000);
    expect(token).not.toContain('acme');
  });

  it('is standard JWE: a token decrypts with node:crypto AES-256-GCM over the compact parts', async () => {
    const response = await post(JSON.stringify({ ...ALICE, user: { ...ALICE.user, attributes: { customerId: 'acme', regions: ['EMEA', 'APAC'] } } }));
    const { token, tokenId } = response.json() as { token: string; tokenId: string };
    const [protectedHeader, , iv, ciphertext, tag] = token.split('.') as [string, string, string, string, string];
    const kid = (JSON.parse(Buffer.from(protectedHeader, 'base64url').toString()) as { kid: string }).kid;
    const rawKey = Buffer.from(await crypto.subtle.exportKey('raw', perch.ctx.keyring.keyFor(kid)!.key));
    expect(rawKey.length).toBe(32);
    // RFC 7516 section 5.2: the AAD is the ASCII of the encoded protected header.
    const decipher = createDecipheriv('aes-256-gcm', rawKey, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]);
    const claims = JSON.parse(plaintext.toString('utf8')) as Record<string, unknown>;
    expect(claims).toMatchObject({
      iss: 'perch',
      aud: 'default',
      sub: 'alice',
      jti: tokenId,
      env: 'test',
      user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme', regions: ['EMEA', 'APAC'] } },
      scope: { dashboards: ['sales'], assistant: false },
    });
    expect(claims.exp).toBe((claims.iat as number) + 600);
    expect(claims.nbf).toBe(claims.iat);
    expect(typeof claims.kid_api).toBe('string');
  });

  it('accepts the boundary values of every limit', async () => {
    const attributes: Record<string, unknown> = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    attributes.note = '€'.repeat(341); // 1,023 bytes
    attributes.ids = Array.from({ length: 1000 }, (_, i) => `id${i}`);
    attributes[`_${'a'.repeat(63)}`] = true;
    delete attributes.k0;
    delete attributes.k1;
    delete attributes.k2;
    const response = await post(JSON.stringify({ user: { distinctId: 'alice', role: 'admin', attributes }, ttlSeconds: 86_400, scope: { dashboards: '*', assistant: true } }));
    expect(response.statusCode, response.body).toBe(201);
    for (const ttl of [60, 86_400]) expect((await post(JSON.stringify({ ...ALICE, ttlSeconds: ttl }))).statusCode).toBe(201);
  });

  it.each([
    ['no key', {}, 'api_key_missing'],
    ['a malformed key', { authorization: 'Bearer hello' }, 'api_key_invalid'],
    ['an unknown key', { authorization: `Bearer pk_live_${'x'.repeat(43)}` }, 'api_key_invalid'],
    ['two different keys', { 'x-api-key': `pk_live_${'y'.repeat(43)}` }, 'api_key_invalid'],
  ])('refuses a mint with %s (%s)', async (_name, headers, code) => {
    const response = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: headers as Record<string, string>, payload: ALICE });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe(code);
  });

  it('accepts the key in x-api-key', async () => {
    const response = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': perch.adminKey }, payload: ALICE });
    expect(response.statusCode).toBe(201);
    expect(perch.audit.byRequest(response.headers['x-request-id'] as string)[0]).toMatchObject({ action: 'token.mint', outcome: 'success', distinctId: 'alice', role: 'viewer', env: 'test' });
  });
});
