/**
 * Test helpers for Perch's browser tests (exported as `@perch/embed/testing`): launch Chromium,
 * build the components into a temporary directory, and a fixture implementation of the API.
 */
export { launchBrowser, launchSharedBrowser, CHROMIUM_ARGS, type LaunchedBrowser, type SharedBrowser } from './browser.js';
export { startFixtureServer, defaultDashboardList, SALES_DASHBOARD, BROKEN_DASHBOARD, TREND_DASHBOARD, XSS_VALUE, type FixtureServer, type RecordedRequest } from './fixture-server.js';
export { buildEmbed, type BuildEmbedOptions } from '../build.js';
