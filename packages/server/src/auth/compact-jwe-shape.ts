/**
 * Text shaped like a compact JWE, the form of an embed token: five base64url segments, the second
 * empty for `dir` but not required to be, the header, IV and tag at least 10 characters long
 * (real tokens carry 40 or more, 16 and 22). One shape for two uses: the verifier refuses a URL
 * that holds one (`token_in_url`), and the log scrubs it (`logging/credential-scrub.ts`).
 *
 * The leading lookbehind makes a match start only where a run of base64url characters starts:
 * without it, a long run without dots would be scanned again from each of its characters
 * (quadratic time on a 16 KB URL).
 */
export const COMPACT_JWE_SHAPE = '(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{10,}';
