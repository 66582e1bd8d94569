/**
 * Browser entry of `/embed/perch.js`: defines `<tc-dashboard>` and `<tc-ai-assistant>`.
 * The assistant panel is a lazily imported chunk.
 */
export { TcDashboard } from './dashboard/tc-dashboard.js';
export { TcAiAssistant } from './assistant/tc-ai-assistant.js';
export { EmbedClient, EmbedRequestError, createTokenProvider } from './client/index.js';
export type * from './types.js';
