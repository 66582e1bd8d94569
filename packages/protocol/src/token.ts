import { z } from 'zod';
import { ROLES, type Role } from './roles.js';
import { PerchError } from './errors.js';
import { formatPath, perchErrorFromZod } from './zod-errors.js';
import type { Attributes } from './attributes.js';

/** TTL rules from DESIGN.md section 2. */
export const TOKEN_TTL = { defaultSeconds: 600, minSeconds: 60, maxSeconds: 86_400 } as const;
/** Clock skew tolerated on `exp`, `nbf` and `iat`. */
export const CLOCK_SKEW_SECONDS = 30;
/** Largest compact JWE accepted in an Authorization header. */
export const MAX_TOKEN_BYTES = 16 * 1024;
/** Origins are exact `scheme://host[:port]`, no path, no trailing slash. */
export const ORIGIN_PATTERN = /^https?:\/\/(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const distinctId = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !s.includes('\u0000'), { params: { code: 'nul_byte' }, message: 'NUL bytes are not allowed' });

/**
 * An origin, stored as a browser sends it in `Origin`: host in lower case, no default port
 * (`https://App.example.com:443` becomes `https://app.example.com`). Origins are compared
 * exactly, so one written any other way would never match.
 */
export const OriginSchema = z
  .string()
  .max(2048)
  .refine((s) => ORIGIN_PATTERN.test(s) && URL.canParse(s), { params: { code: 'invalid_origin' }, message: 'must be scheme://host[:port]' })
  .transform((s) => new URL(s).origin);

export const TokenScopeSchema = z.strictObject({
  dashboards: z.union([z.literal('*'), z.array(z.string().min(1).max(128)).max(500)]).default([]),
  assistant: z.boolean().default(false),
});
export type TokenScope = z.output<typeof TokenScopeSchema>;

/**
 * Body of `POST /v1/embed/tokens`. `attributes` is validated separately by `validateAttributes`,
 * because its rules (key pattern, reserved keys, byte sizes) need exact codes per rule.
 */
export const MintRequestSchema = z.strictObject({
  user: z.strictObject({
    distinctId,
    role: z.enum(ROLES),
    attributes: z.unknown().optional(),
  }),
  scope: TokenScopeSchema.default({ dashboards: [], assistant: false }),
  ttlSeconds: z.number().int().min(TOKEN_TTL.minSeconds).max(TOKEN_TTL.maxSeconds).optional(),
  origins: z.array(OriginSchema).max(50).optional(),
});
export type MintRequestInput = z.input<typeof MintRequestSchema>;
export type MintRequest = z.output<typeof MintRequestSchema>;

/**
 * Parse a body holding a mint-style `user` (and maybe `ttlSeconds`) with `schema`, keeping the two
 * codes a host reacts to: a role outside the enum is `unknown_role` and a TTL outside
 * 60–86,400 s is `ttl_out_of_range` (zod alone would say `invalid_request` / `value_too_large`).
 * The schemas themselves carry the enum and the range, so the OpenAPI document generated from
 * them shows both.
 *
 * @example
 * parseWithTokenCodes(MintRequestSchema, { user: { distinctId: 'a', role: 'owner' } }); // throws unknown_role at user.role
 */
export function parseWithTokenCodes<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatPath(issue.path) : '';
  if (issue && path === 'user.role' && issue.code === 'invalid_value') {
    throw new PerchError('unknown_role', { path, message: 'user.role: unknown role' });
  }
  if (issue && path === 'ttlSeconds' && (issue.code === 'too_small' || issue.code === 'too_big')) {
    throw new PerchError('ttl_out_of_range', { path, message: `ttlSeconds: must be between ${TOKEN_TTL.minSeconds} and ${TOKEN_TTL.maxSeconds}` });
  }
  throw perchErrorFromZod(result.error);
}

/** Validate a `POST /v1/embed/tokens` body (see `parseWithTokenCodes`). */
export function parseMintRequest(body: unknown): MintRequest {
  return parseWithTokenCodes(MintRequestSchema, body);
}

export interface EmbedUser {
  distinctId: string;
  role: Role;
  attributes: Attributes;
}

export type TokenEnvironment = 'live' | 'test';

/** The decrypted claims of an embed token (DESIGN.md section 2). */
export interface EmbedTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  env: TokenEnvironment;
  user: EmbedUser;
  scope: TokenScope;
  origins?: string[];
  kid_api: string;
}

/** `201` response of `POST /v1/embed/tokens`. */
export interface MintResponse {
  token: string;
  tokenId: string;
  expiresAt: string;
}

/** `GET /v1/embed/session`: no attribute values, ever. */
export interface SessionResponse {
  distinctId: string;
  role: Role;
  scope: TokenScope;
  expiresAt: string;
  env: TokenEnvironment;
  attributeKeys: string[];
}

