import { sql, type Kysely } from 'kysely';

/**
 * Every saved version of a maker dashboard, the current one included, so a maker can see what
 * changed and restore an earlier definition. Keyed like `dashboards` (workspace, tenant, id) plus
 * the version: one tenant's history is never reachable through another tenant's key.
 *
 * Dashboards saved before this migration get their current version copied in, so every saved
 * dashboard has at least one entry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('dashboard_versions')
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('tenant_key', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('saved_by', 'text', (c) => c.notNull())
    .addColumn('saved_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('dashboard_versions_pk', ['workspace_id', 'tenant_key', 'id', 'version'])
    .execute();
  await sql`
    insert into dashboard_versions (workspace_id, tenant_key, id, version, definition, saved_by, saved_at)
    select workspace_id, tenant_key, id, version, definition, updated_by, updated_at from dashboards`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('dashboard_versions').execute();
}
