// Kept only for routes/dashboards.ts, which is being rewritten and moves into dashboards/ after
// that merge; the session route lives in workspace/session-routes.ts. Delete this file then.
export { presentSession } from '../workspace/session-routes.js';
