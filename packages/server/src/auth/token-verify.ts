import { jwtDecrypt, errors as joseErrors } from 'jose';
import {
  CLOCK_SKEW_SECONDS,
  deepFreeze,
  MAX_TOKEN_BYTES,
  PerchError,
  isRole,
  validateAttributes,
  type EmbedTokenClaims,
  type ErrorCode,
} from '@perch/protocol';
import { COMPACT_JWE_SHAPE } from './compact-jwe-shape.js';
import { credentialDigest } from './credential-digest.js';
import type { Keyring } from './keyring.js';
import type { RevocationList } from './revocation-list.js';
import { isDevelopmentOrigin, type WorkspaceDirectory, type WorkspaceView } from './workspace-directory.js';
import type { Clock } from '../store/clock.js';

/** What verification needs from an HTTP request; kept framework-free so it is easy to test. */
export interface EmbedRequestInput {
  authorization: string | undefined;
  /** The raw request URL (path and query), checked for tokens smuggled in the query string. */
  url: string;
  origin: string | undefined;
}

export interface VerifiedEmbedToken {
  claims: EmbedTokenClaims;
  workspace: WorkspaceView;
  /** Whether this verification was answered from the verified-token cache. */
  cached: boolean;
}

/** Thrown for every refusal; `claims` is set when decryption succeeded (for the audit trail). */
export class TokenRejectedError extends PerchError {
  constructor(
    code: ErrorCode,
    readonly claims?: EmbedTokenClaims,
    detail?: string,
  ) {
    super(code, { detail });
  }
}

const BASE64URL_PART = /^[A-Za-z0-9_-]*$/;
const ALLOWED_HEADER_KEYS = new Set(['alg', 'enc', 'kid']);
const URL_TOKEN_PARAMS = /[?&](?:token|access_token|embed_token|jwt)=/i;
const COMPACT_JWE_IN_URL = new RegExp(COMPACT_JWE_SHAPE);

interface CacheEntry {
  claims: EmbedTokenClaims;
  workspaceId: string;
  expiresAtMs: number;
}

export interface TokenVerifierOptions {
  issuer: string;
  /** Bound on the verified-token cache; the oldest entries are evicted first. */
  cacheSize?: number;
}

/**
 * The one verification path for every embed-token request (DESIGN.md sections 2 and 4).
 *
 * Order matters: cheap structural checks first, so garbage never reaches the cipher; the JOSE
 * header allowlist before decryption, so `zip`, `crit`, embedded keys and other algorithms are
 * refused rather than interpreted; revocation, environment and origin on every request, cached
 * or not, so a cache hit can never outlive a revocation.
 *
 * @example
 * ```ts
 * const verified = await verifier.verify({ authorization: req.headers.authorization, url: req.url, origin: req.headers.origin });
 * verified.claims.user.distinctId; // 'alice'
 * ```
 */
export class TokenVerifier {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheSize: number;

  constructor(
    private readonly keyring: Keyring,
    private readonly revocations: RevocationList,
    private readonly workspaces: WorkspaceDirectory,
    private readonly clock: Clock,
    private readonly options: TokenVerifierOptions,
  ) {
    this.cacheSize = options.cacheSize ?? 50_000;
  }

  async verify(input: EmbedRequestInput): Promise<VerifiedEmbedToken> {
    if (URL_TOKEN_PARAMS.test(input.url) || COMPACT_JWE_IN_URL.test(input.url)) throw new TokenRejectedError('token_in_url');
    const token = extractBearer(input.authorization);
    // The digest of the whole header, which determines the token: the cache holds no credential.
    const cacheKey = credentialDigest(input.authorization!);
    const nowMs = this.clock.now();

    const hit = this.cache.get(cacheKey);
    if (hit && hit.expiresAtMs > nowMs) {
      const workspace = this.workspaces.get(hit.workspaceId);
      if (workspace) return { claims: this.checkRequestBound(hit.claims, workspace, input.origin), workspace, cached: true };
    }

    const { claims, workspace } = await this.decrypt(token, nowMs);
    this.checkRequestBound(claims, workspace, input.origin);
    this.remember(cacheKey, { claims, workspaceId: workspace.id, expiresAtMs: (claims.exp + CLOCK_SKEW_SECONDS) * 1000 });
    return { claims, workspace, cached: false };
  }

  /**
   * The verification of a token that is already verified and cached, with every check that
   * {@link verify} runs on a cache hit (token in the URL, origin, environment, revocation);
   * `undefined` when the token is not cached or any check refuses it. Never decrypts, never
   * throws, and remembers nothing: it answers for client addresses that are throttled for
   * failed authentications (see `http/auth-failure-limit.ts`), where a forged token must cost
   * no more than a digest and a lookup.
   */
  verifyCached(input: EmbedRequestInput): VerifiedEmbedToken | undefined {
    const authorization = input.authorization;
    if (authorization === undefined || authorization.length > MAX_TOKEN_BYTES + 7) return undefined;
    if (URL_TOKEN_PARAMS.test(input.url) || COMPACT_JWE_IN_URL.test(input.url)) return undefined;
    const hit = this.cache.get(credentialDigest(authorization));
    if (!hit || hit.expiresAtMs <= this.clock.now()) return undefined;
    const workspace = this.workspaces.get(hit.workspaceId);
    if (!workspace) return undefined;
    try {
      return { claims: this.checkRequestBound(hit.claims, workspace, input.origin), workspace, cached: true };
    } catch {
      return undefined;
    }
  }

  /** Checks that depend on the current request or on state that can change: always run. */
  private checkRequestBound(claims: EmbedTokenClaims, workspace: WorkspaceView, origin?: string): EmbedTokenClaims {
    // Origin first: a page on an origin that may not use the token (one that got hold of a
    // leaked token, say) learns `origin_forbidden` and nothing else, not whether it was revoked.
    if (origin !== undefined) checkOrigin(claims, workspace, origin);
    if (this.revocations.isRevoked(workspace.id, claims.jti, claims.sub, claims.iat)) throw new TokenRejectedError('token_revoked', claims);
    return claims;
  }

  private async decrypt(token: string, nowMs: number): Promise<{ claims: EmbedTokenClaims; workspace: WorkspaceView }> {
    const parts = token.split('.');
    if (parts.length !== 5 || !parts.every((p) => BASE64URL_PART.test(p))) throw new TokenRejectedError('token_malformed');
    const [headerPart, encryptedKey, iv, ciphertext, tag] = parts as [string, string, string, string, string];
    // `dir` has no encrypted key; anything in that slot means another algorithm or tampering.
    if (encryptedKey !== '' || headerPart === '' || iv === '' || ciphertext === '' || tag === '') throw new TokenRejectedError('token_malformed');

    const kid = readAllowedHeader(headerPart);
    const key = this.keyring.keyFor(kid);
    if (!key) throw new TokenRejectedError('token_unknown_key');
    const workspace = this.workspaces.get(key.workspaceId);
    if (!workspace) throw new TokenRejectedError('token_unknown_key');

    let payload: Record<string, unknown>;
    try {
      const result = await jwtDecrypt(token, key.key, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: ['A256GCM'],
        issuer: this.options.issuer,
        audience: workspace.id,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(nowMs),
        requiredClaims: ['iss', 'aud', 'sub', 'jti', 'iat', 'nbf', 'exp'],
      });
      payload = result.payload as Record<string, unknown>;
    } catch (error) {
      throw new TokenRejectedError(mapJoseError(error), undefined, (error as Error).message);
    }
    const claims = readClaims(payload);
    if (claims.iat > nowMs / 1000 + CLOCK_SKEW_SECONDS) throw new TokenRejectedError('token_claims_invalid', claims, 'iat in the future');
    return { claims, workspace };
  }

  private remember(key: string, entry: CacheEntry): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, entry);
  }
}

function extractBearer(authorization: string | undefined): string {
  if (authorization === undefined || authorization === '') throw new TokenRejectedError('token_missing');
  if (authorization.length > MAX_TOKEN_BYTES + 7) throw new TokenRejectedError('token_too_large');
  // A prefix check and one scan instead of a regex: this runs on every request.
  if (!authorization.startsWith('Bearer ')) throw new TokenRejectedError('token_malformed');
  const token = authorization.slice(7);
  if (token.length === 0 || /\s/.test(token)) throw new TokenRejectedError('token_malformed');
  return token;
}

/** Decode the protected header and accept exactly `{alg: 'dir', enc: 'A256GCM', kid}`. */
function readAllowedHeader(part: string): string {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejectedError('token_malformed');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new TokenRejectedError('token_malformed');
  const fields = header as Record<string, unknown>;
  for (const name of Object.keys(fields)) {
    if (!ALLOWED_HEADER_KEYS.has(name)) throw new TokenRejectedError('token_header_invalid', undefined, `header parameter ${name}`);
  }
  if (fields.alg !== 'dir' || fields.enc !== 'A256GCM') throw new TokenRejectedError('token_header_invalid', undefined, 'alg/enc');
  if (typeof fields.kid !== 'string' || fields.kid.length === 0 || fields.kid.length > 64) throw new TokenRejectedError('token_header_invalid', undefined, 'kid');
  return fields.kid;
}

function mapJoseError(error: unknown): ErrorCode {
  if (error instanceof joseErrors.JWTExpired) return 'token_expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'nbf':
        return 'token_not_yet_valid';
      case 'aud':
        return 'token_wrong_audience';
      case 'iss':
        return 'token_wrong_issuer';
      default:
        return 'token_claims_invalid';
    }
  }
  if (error instanceof joseErrors.JWEDecryptionFailed) return 'token_decryption_failed';
  if (error instanceof joseErrors.JWTInvalid) return 'token_claims_invalid';
  if (error instanceof joseErrors.JOSEError) return 'token_malformed';
  return 'token_malformed';
}

/** The payload decrypted and authenticated; still check its shape before trusting any field. */
function readClaims(payload: Record<string, unknown>): EmbedTokenClaims {
  const user = payload.user as Record<string, unknown> | undefined;
  const scope = payload.scope as Record<string, unknown> | undefined;
  const ok =
    typeof payload.sub === 'string' &&
    typeof payload.jti === 'string' &&
    (payload.env === 'live' || payload.env === 'test') &&
    typeof payload.kid_api === 'string' &&
    typeof user === 'object' &&
    user !== null &&
    user.distinctId === payload.sub &&
    isRole(user.role) &&
    typeof scope === 'object' &&
    scope !== null &&
    (scope.dashboards === '*' || (Array.isArray(scope.dashboards) && scope.dashboards.every((d) => typeof d === 'string'))) &&
    typeof scope.assistant === 'boolean' &&
    (payload.origins === undefined || (Array.isArray(payload.origins) && payload.origins.every((o) => typeof o === 'string')));
  if (!ok || !user) throw new TokenRejectedError('token_claims_invalid');
  let attributes;
  try {
    attributes = validateAttributes(user.attributes);
  } catch {
    throw new TokenRejectedError('token_claims_invalid');
  }
  // Frozen all the way down: verified claims are cached and handed to every later request with
  // the same token, so a route that wrote to them would change what RLS sees next time.
  return deepFreeze({ ...(payload as unknown as EmbedTokenClaims), user: { distinctId: payload.sub as string, role: user.role as EmbedTokenClaims['user']['role'], attributes } });
}

/**
 * A browser request's Origin must be authorized by the workspace and, when the token names
 * origins, by the token as well. A development token is usable only from development origins,
 * so a leaked `pk_test_` token cannot drive a production page.
 */
function checkOrigin(claims: EmbedTokenClaims, workspace: WorkspaceView, origin: string): void {
  if (claims.env === 'test') {
    if (!isDevelopmentOrigin(origin, workspace)) throw new TokenRejectedError('token_environment_mismatch', claims);
  } else if (!workspace.authorizedOrigins.has(origin)) {
    throw new TokenRejectedError('origin_forbidden', claims);
  }
  if (claims.origins && !claims.origins.includes(origin)) throw new TokenRejectedError('origin_forbidden', claims);
}
