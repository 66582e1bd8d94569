import type { Kysely } from 'kysely';
import type { PerchDatabase, WorkspaceSettings } from '../store/schema.js';
import { listWorkspaces } from '../store/workspaces.js';
import { listOrigins, replaceOrigins } from '../store/origins.js';

export interface WorkspaceView {
  id: string;
  settings: WorkspaceSettings;
  authorizedOrigins: ReadonlySet<string>;
  developmentOrigins: ReadonlySet<string>;
}

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** True for origins a development (`pk_test_`) token may be used from. */
export function isDevelopmentOrigin(origin: string, workspace: WorkspaceView): boolean {
  return LOOPBACK_ORIGIN.test(origin) || workspace.developmentOrigins.has(origin);
}

/**
 * In-memory view of each workspace's origins and settings, read on every embed request
 * (CORS preflight included) without a database round trip.
 */
export class WorkspaceDirectory {
  private workspaces = new Map<string, WorkspaceView>();

  constructor(private readonly db: Kysely<PerchDatabase>) {}

  async load(): Promise<void> {
    const next = new Map<string, WorkspaceView>();
    for (const row of await listWorkspaces(this.db)) {
      const origins = await listOrigins(this.db, row.id);
      next.set(row.id, {
        id: row.id,
        settings: row.settings,
        authorizedOrigins: new Set(origins),
        developmentOrigins: new Set(row.settings.developmentOrigins ?? []),
      });
    }
    this.workspaces = next;
  }

  get(id: string): WorkspaceView | undefined {
    return this.workspaces.get(id);
  }

  /** Any workspace authorizes this origin (used for CORS preflights, which carry no token). */
  isKnownOrigin(origin: string): boolean {
    for (const ws of this.workspaces.values()) {
      if (ws.authorizedOrigins.has(origin) || isDevelopmentOrigin(origin, ws)) return true;
    }
    return false;
  }

  async setOrigins(workspaceId: string, origins: readonly string[]): Promise<void> {
    await replaceOrigins(this.db, workspaceId, origins);
    await this.load();
  }
}
