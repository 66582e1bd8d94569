/**
 * Browser entry of `/embed/perch.js`: defines `<tc-dashboard>`, `<tc-dashboard-list>` and
 * `<tc-ai-assistant>`. The assistant panel is a lazily imported chunk; the list is small (it
 * shares Lit and the API client with the dashboard), so it is part of the entry.
 */
export { TcDashboard } from './dashboard/tc-dashboard.js';
export { TcDashboardList } from './dashboard-list/tc-dashboard-list.js';
export { TcAiAssistant } from './assistant/tc-ai-assistant.js';
export { EmbedClient, EmbedRequestError, createTokenProvider } from './client/index.js';
export type * from './types.js';
