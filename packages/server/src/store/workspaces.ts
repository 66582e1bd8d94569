import { sql, type Kysely, type Selectable } from 'kysely';
import type { PerchDatabase, WorkspaceSettings, WorkspacesTable } from './schema.js';

export type Workspace = Selectable<WorkspacesTable>;

export const DEFAULT_WORKSPACE_ID = 'default';

/** Create the workspace if it does not exist yet; idempotent. */
export async function ensureWorkspace(db: Kysely<PerchDatabase>, id: string, name = id, settings: WorkspaceSettings = {}): Promise<Workspace> {
  await db
    .insertInto('workspaces')
    .values({ id, name, settings: JSON.stringify(settings) })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return getWorkspace(db, id) as Promise<Workspace>;
}

export async function getWorkspace(db: Kysely<PerchDatabase>, id: string): Promise<Workspace | undefined> {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listWorkspaces(db: Kysely<PerchDatabase>): Promise<Workspace[]> {
  return db.selectFrom('workspaces').selectAll().orderBy('id').execute();
}

/**
 * Merge `changes` into a workspace's settings (creating the workspace if needed) and return them.
 *
 * @example
 * ```ts
 * await changeWorkspaceSettings(db, 'acme', { auditRawAttributes: true });
 * ```
 */
export async function changeWorkspaceSettings(db: Kysely<PerchDatabase>, id: string, changes: WorkspaceSettings): Promise<WorkspaceSettings> {
  await ensureWorkspace(db, id);
  // Merged by the store in one statement, so two changes at once cannot overwrite each other.
  const updated = await db
    .updateTable('workspaces')
    .set({ settings: sql<string>`settings || ${JSON.stringify(changes)}::jsonb` })
    .where('id', '=', id)
    .returning('settings')
    .executeTakeFirstOrThrow();
  return (typeof updated.settings === 'string' ? JSON.parse(updated.settings) : updated.settings) as WorkspaceSettings;
}
