import { hash } from 'node:crypto';

/**
 * SHA-256 of a credential (an `Authorization` header or an API key), base64url: the key under
 * which a verified token is cached, so that the verifier's cache holds no credentials.
 *
 * Computed on every request, never remembered: a table of recent headers would keep the very
 * credentials the digest exists to avoid holding, and one SHA-256 of a header costs about a
 * microsecond.
 *
 * @example
 * ```ts
 * credentialDigest('Bearer pk_live_…') // 43 base64url characters
 * ```
 */
export function credentialDigest(credential: string): string {
  return hash('sha256', credential, 'base64url');
}
