import type { Migration, MigrationProvider } from 'kysely';
import * as identity from './0001-identity.js';
import * as audit from './0002-audit.js';
import * as changeNotify from './0003-change-notify.js';
import * as dashboards from './0004-dashboards.js';
import * as assistant from './0005-assistant.js';
import * as auditAppend from './0006-audit-append.js';
import * as dashboardVersions from './0008-dashboard-versions.js';
import * as auditAppendLocked from './0009-audit-append-locked.js';

/**
 * The one migration set for both backends. The embedded store is PostgreSQL compiled to
 * WebAssembly, so every migration is plain PostgreSQL and runs unchanged on both.
 * New migrations are appended here; names sort in the order they must run.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-identity': identity,
  '0002-audit': audit,
  '0003-change-notify': changeNotify,
  '0004-dashboards': dashboards,
  '0005-assistant': assistant,
  '0006-audit-append': auditAppend,
  '0008-dashboard-versions': dashboardVersions,
  '0009-audit-append-locked': auditAppendLocked,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return { ...MIGRATIONS };
  },
};
