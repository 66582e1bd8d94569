import { EncryptJWT, base64url } from 'jose';
import type { TestPerch } from '../helpers/test-perch.js';

export interface MintBody {
  user: { distinctId: string; role: string; attributes?: Record<string, unknown> };
  scope?: { dashboards?: string[] | '*'; assistant?: boolean };
  ttlSeconds?: number;
  origins?: string[];
}

export const ALICE: MintBody = { user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } }, scope: { dashboards: ['sales'] } };

export async function mint(perch: TestPerch, body: MintBody = ALICE, apiKey = perch.adminKey): Promise<{ token: string; tokenId: string; expiresAt: string }> {
  const response = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { authorization: `Bearer ${apiKey}` }, payload: body });
  if (response.statusCode !== 201) throw new Error(`mint failed: ${response.statusCode} ${response.body}`);
  return response.json();
}

export async function createApiKey(perch: TestPerch, env: 'live' | 'test', scopes: string[] = ['tokens:create']): Promise<string> {
  const response = await perch.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: { 'x-api-key': perch.adminKey },
    payload: { name: `${env} key`, env, scopes },
  });
  if (response.statusCode !== 201) throw new Error(`create key failed: ${response.body}`);
  return (response.json() as { key: string }).key;
}

export function session(perch: TestPerch, token: string | undefined, headers: Record<string, string> = {}, url = '/v1/embed/session') {
  return perch.app.inject({ method: 'GET', url, headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...headers } });
}

/** Replace the protected header, keeping the rest (so the AAD no longer matches, or the header is refused first). */
export function withHeader(token: string, header: Record<string, unknown>): string {
  const parts = token.split('.');
  parts[0] = base64url.encode(JSON.stringify(header));
  return parts.join('.');
}

export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Flip one character of a compact part, keeping it valid base64url. */
export function tamperPart(token: string, index: number): string {
  const parts = token.split('.');
  const part = parts[index]!;
  const position = Math.floor(part.length / 2);
  const flipped = part[position] === 'A' ? 'B' : 'A';
  parts[index] = part.slice(0, position) + flipped + part.slice(position + 1);
  return parts.join('.');
}

/** Craft a token with the workspace's real key but chosen claims (wrong aud, future nbf, …). */
export async function craft(perch: TestPerch, claims: Record<string, unknown>, workspaceId = 'default'): Promise<string> {
  const key = perch.ctx.keyring.activeKey(workspaceId)!;
  return new EncryptJWT(claims).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid }).encrypt(key.key);
}

export function validClaims(perch: TestPerch, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(perch.ctx.clock.now() / 1000);
  return {
    iss: perch.config.issuer,
    aud: 'default',
    sub: 'alice',
    jti: `jti-${Math.random()}`,
    iat: now,
    nbf: now,
    exp: now + 600,
    env: 'test',
    user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } },
    scope: { dashboards: ['sales'], assistant: false },
    kid_api: 'key_test',
    ...overrides,
  };
}
