import { hash } from 'node:crypto';

/**
 * SHA-256 of a credential (an `Authorization` header or an API key), base64url: the key under
 * which a verified token is cached, so that the verifier's cache holds no credentials.
 *
 * @example
 * ```ts
 * credentialDigest('Bearer pk_live_…') // 43 base64url characters
 * ```
 */
export function credentialDigest(credential: string): string {
  return hash('sha256', credential, 'base64url');
}

/** Recent embed `Authorization` headers and their digests; insertion order is eviction order. */
const recentEmbedHeaders = new Map<string, string>();
const RECENT_LIMIT = 256;

/**
 * `credentialDigest` of an embed request's `Authorization` header, remembered for the last few
 * hundred headers.
 *
 * Why: every embed request digests its header (the verification cache's key), and a dashboard
 * sends many requests with one token. Only embed tokens are
 * remembered: they live minutes and the verifier caches their claims anyway, whereas an API key
 * is a long-lived secret that should not stay in memory after its request. This small table is
 * the one place that holds recent embed headers themselves, in this process only. The function
 * is pure, so a remembered digest is always the one that would be computed.
 *
 * @example
 * ```ts
 * embedAuthorizationDigest('Bearer eyJ…') === credentialDigest('Bearer eyJ…') // true
 * ```
 */
export function embedAuthorizationDigest(header: string): string {
  const known = recentEmbedHeaders.get(header);
  if (known !== undefined) return known;
  const digest = credentialDigest(header);
  if (recentEmbedHeaders.size >= RECENT_LIMIT) recentEmbedHeaders.delete(recentEmbedHeaders.keys().next().value!);
  recentEmbedHeaders.set(header, digest);
  return digest;
}

/**
 * `credentialDigest` of an embed `Authorization` header, taken from the recent headers when it
 * is there, and not remembered when it is not.
 *
 * Why: a throttled client address may be flooding forged tokens; remembering each of them
 * would push the headers of real dashboards out of the table.
 */
export function embedAuthorizationDigestUnremembered(header: string): string {
  return recentEmbedHeaders.get(header) ?? credentialDigest(header);
}
