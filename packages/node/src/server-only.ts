/**
 * Refuse to run in a browser. `@perch/node` holds an API key that can mint a token for any
 * user; bundled into a page, that key is public. Evaluated at module load, before anything else.
 */
export const SERVER_ONLY_MESSAGE =
  '@perch/node must only run on your server: it holds a Perch API key that can mint embed tokens for any user. ' +
  'Mint tokens in a backend route and pass only the token to the page (see docs/embedding.md).';

if (typeof (globalThis as { window?: unknown }).window !== 'undefined' || typeof (globalThis as { document?: unknown }).document !== 'undefined') {
  throw new Error(SERVER_ONLY_MESSAGE);
}
