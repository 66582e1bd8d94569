import { EncryptJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import {
  PerchError,
  TOKEN_TTL,
  isRole,
  parseMintRequest,
  validateAttributes,
  type EmbedTokenClaims,
  type MintResponse,
  type TokenEnvironment,
} from '@perch/protocol';
import type { Keyring } from './keyring.js';
import type { Clock } from '../store/clock.js';

export interface MintContext {
  workspaceId: string;
  issuer: string;
  apiKeyId: string;
  env: TokenEnvironment;
  /** Roles this workspace accepts; defaults to the built-in four. */
  roles?: readonly string[];
}

export interface MintedToken extends MintResponse {
  claims: EmbedTokenClaims;
}

/**
 * Validate a mint request (DESIGN.md section 2) and encrypt the claims as a compact JWE with the
 * workspace's active key (`dir` + `A256GCM`, `kid` in the protected header and nothing else).
 *
 * @example
 * ```ts
 * const { token } = await mintEmbedToken(keyring, clock, ctx, {
 *   user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } },
 *   scope: { dashboards: ['sales'] },
 * });
 * ```
 */
export async function mintEmbedToken(keyring: Keyring, clock: Clock, ctx: MintContext, body: unknown): Promise<MintedToken> {
  const request = parseMintRequest(body);
  const role = request.user.role;
  if (!isRole(role) || (ctx.roles && !ctx.roles.includes(role))) {
    throw new PerchError('unknown_role', { path: 'user.role', message: 'user.role: unknown role' });
  }
  const attributes = validateAttributes(request.user.attributes);
  const ttl = request.ttlSeconds ?? TOKEN_TTL.defaultSeconds;
  if (ttl < TOKEN_TTL.minSeconds || ttl > TOKEN_TTL.maxSeconds) {
    throw new PerchError('ttl_out_of_range', {
      path: 'ttlSeconds',
      message: `ttlSeconds: must be between ${TOKEN_TTL.minSeconds} and ${TOKEN_TTL.maxSeconds}`,
    });
  }
  const key = keyring.activeKey(ctx.workspaceId);
  if (!key) throw new PerchError('internal_error', { detail: `workspace ${ctx.workspaceId} has no active token key` });

  const iat = Math.floor(clock.now() / 1000);
  const claims: EmbedTokenClaims = {
    iss: ctx.issuer,
    aud: ctx.workspaceId,
    sub: request.user.distinctId,
    jti: randomUUID(),
    iat,
    nbf: iat,
    exp: iat + ttl,
    env: ctx.env,
    user: { distinctId: request.user.distinctId, role, attributes },
    scope: request.scope,
    ...(request.origins ? { origins: [...new Set(request.origins)] } : {}),
    kid_api: ctx.apiKeyId,
  };
  const token = await new EncryptJWT({ ...claims }).setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: key.kid }).encrypt(key.key);
  return { token, tokenId: claims.jti, expiresAt: new Date(claims.exp * 1000).toISOString(), claims };
}
