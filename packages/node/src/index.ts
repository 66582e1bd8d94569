/**
 * `@perch/node`: the host SDK. Mint embed tokens on your server with an API key.
 * Importing it where `window` or `document` exists throws: API keys must stay server-side.
 */
import './server-only.js';

export { createPerchClient, type PerchClient, type PerchClientOptions, type CreateEmbedTokenInput, type EmbedToken, type RevokeTokenInput } from './client.js';
export { PerchApiError } from './errors.js';
export { SERVER_ONLY_MESSAGE } from './server-only.js';
