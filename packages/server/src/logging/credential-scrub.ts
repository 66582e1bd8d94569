import { API_KEY_SHAPE } from '../auth/api-key-format.js';
import { COMPACT_JWE_SHAPE } from '../auth/compact-jwe-shape.js';

/** What a scrubbed credential is replaced with; the same censor as the logger's redaction. */
export const REDACTED = '[redacted]';

/**
 * Embed tokens and API keys wherever they stand in a text. Global, and used only with `replace`,
 * which starts every search at the beginning (`lastIndex` is reset), so sharing it is safe.
 */
const CREDENTIAL = new RegExp(`${COMPACT_JWE_SHAPE}|${API_KEY_SHAPE}`, 'g');
/** Shorter texts cannot hold either shape (a compact JWE needs 35 characters, a key 51). */
const SHORTEST_CREDENTIAL = 35;

/**
 * Replace everything shaped like an embed token (a compact JWE) or an API key in `text` with
 * `[redacted]`. Linear in the length of `text`.
 *
 * @example
 * ```ts
 * scrubCredentials('Route GET:/v1/embed/eyJhbGciOi…Q..Yi…6.0d…A.zh…A not found'); // 'Route GET:/v1/embed/[redacted] not found'
 * ```
 */
export function scrubCredentials(text: string): string {
  return mayHoldCredential(text) ? text.replace(CREDENTIAL, REDACTED) : text;
}

/**
 * Whether `text` could hold a credential: long enough, and holding `pk_` or four dots. Most log
 * lines hold neither, and this test (a few `indexOf` scans) is several times cheaper than the
 * regular expression, which tries a match at every character.
 */
function mayHoldCredential(text: string): boolean {
  if (text.length < SHORTEST_CREDENTIAL) return false;
  if (text.includes('pk_')) return true;
  let dots = 0;
  for (let at = text.indexOf('.'); at !== -1; at = text.indexOf('.', at + 1)) {
    if (++dots === 4) return true;
  }
  return false;
}
