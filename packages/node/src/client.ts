import { PerchError, parseMintRequest, validateAttributes, type AttributeValue, type MintResponse } from '@perch/protocol';
import { PerchApiError, apiErrorFromResponse } from './errors.js';

export interface PerchClientOptions {
  /** A server-side API key, `pk_live_…` or `pk_test_…`. Never send it to a browser. */
  apiKey: string;
  /** Perch base URL, e.g. `https://perch.internal:4100`. */
  baseUrl: string;
  /** Injected fetch (defaults to the global one). */
  fetch?: typeof fetch;
  /** Per-request timeout; default 10 s. */
  timeoutMs?: number;
}

export interface CreateEmbedTokenInput {
  user: { distinctId: string; role: string; attributes?: Record<string, AttributeValue> };
  /** Dashboards the token may open (`"*"` for all) and whether the assistant is allowed. */
  scope?: { dashboards?: string[] | '*'; assistant?: boolean };
  /** Lifetime, 60–86,400 s; Perch's default is 600 s. */
  ttlSeconds?: number;
  /** Bind the token to these page origins (`https://app.example.com`). */
  origins?: string[];
}

export interface EmbedToken {
  token: string;
  tokenId: string;
  expiresAt: string;
}

export type RevokeTokenInput = { tokenId: string } | { distinctId: string };

export interface PerchClient {
  /** Mint a short-lived embed token for one end user (`POST /v1/embed/tokens`). */
  createEmbedToken(input: CreateEmbedTokenInput): Promise<EmbedToken>;
  /** Revoke one token, or every token issued so far to a `distinctId` (`POST /v1/revocations`). */
  revokeToken(input: RevokeTokenInput): Promise<void>;
}

const API_KEY_PATTERN = /^pk_(live|test)_[A-Za-z0-9]{20,}$/;

/**
 * Create the host-side Perch client.
 *
 * @example
 * ```ts
 * const perch = createPerchClient({ apiKey: process.env.PERCH_API_KEY!, baseUrl: 'http://127.0.0.1:4100' });
 * const { token } = await perch.createEmbedToken({
 *   user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } },
 *   scope: { dashboards: ['sales'] },
 * });
 * ```
 */
export function createPerchClient(options: PerchClientOptions): PerchClient {
  if (typeof options.apiKey !== 'string' || !API_KEY_PATTERN.test(options.apiKey)) {
    // Never echo the key itself.
    throw new PerchError('api_key_invalid', { path: 'apiKey', message: 'apiKey must be a Perch API key (pk_live_… or pk_test_…).' });
  }
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new PerchError('invalid_request', { path: 'baseUrl', message: 'baseUrl must be an absolute http(s) URL.' });
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new PerchError('invalid_request', { path: 'baseUrl', message: 'baseUrl must be an absolute http(s) URL.' });
  }
  const baseUrl = base.href.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const apiKey = options.apiKey;

  async function post(path: string, body: unknown): Promise<Response> {
    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error', // never forward the API key to wherever a redirect points
      });
    } catch (cause) {
      const timedOut = (cause as { name?: string }).name === 'TimeoutError';
      throw new PerchApiError('network_error', {
        message: timedOut ? `Perch did not answer within ${timeoutMs} ms.` : 'Perch could not be reached.',
        status: 0,
        cause,
      });
    }
    if (!response.ok) throw await apiErrorFromResponse(response);
    return response;
  }

  return {
    async createEmbedToken(input) {
      // Validate locally first: a bad payload fails with a path before any network call.
      const request = parseMintRequest(input);
      validateAttributes(request.user.attributes);
      const response = await post('/v1/embed/tokens', input);
      const body = (await response.json()) as Partial<MintResponse>;
      if (typeof body.token !== 'string' || typeof body.tokenId !== 'string' || typeof body.expiresAt !== 'string') {
        throw new PerchApiError('internal_error', { message: 'Perch answered without a token.', status: response.status });
      }
      return { token: body.token, tokenId: body.tokenId, expiresAt: body.expiresAt };
    },
    async revokeToken(input) {
      const body =
        'tokenId' in input && typeof input.tokenId === 'string'
          ? { tokenId: input.tokenId }
          : 'distinctId' in input && typeof input.distinctId === 'string'
            ? { distinctId: input.distinctId }
            : undefined;
      if (!body) throw new PerchError('missing_field', { path: 'tokenId', message: 'Give a tokenId or a distinctId.' });
      await post('/v1/revocations', body);
    },
  };
}
