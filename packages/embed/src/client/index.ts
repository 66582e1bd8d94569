export { EmbedClient, REFRESH_LEAD_MS, type EmbedClientOptions, type EmbedRequestInit, type FetchToken } from './embed-client.js';
export { EmbedRequestError, errorFromResponse, isAbortError } from './embed-error.js';
export { createTokenProvider, type TokenProviderOptions } from './token-provider.js';
