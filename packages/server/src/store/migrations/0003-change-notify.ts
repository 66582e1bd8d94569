import { sql, type Kysely } from 'kysely';

/**
 * Change notices for replicas: every change to a table that replicas mirror in memory sends
 * `pg_notify('perch_changes', {schema, table, workspace})` from a trigger, so it is delivered at
 * COMMIT by PostgreSQL itself, whichever process or tool wrote it. See src/replication/.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create function perch_notify_change() returns trigger language plpgsql as $$
    declare
      changed jsonb;
    begin
      changed := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
      perform pg_notify('perch_changes', json_build_object(
        'schema', tg_table_schema,
        'table', tg_table_name,
        'workspace', coalesce(changed->>'workspace_id', changed->>'id')
      )::text);
      return null;
    end
    $$`.execute(db);
  for (const table of ['workspaces', 'origins', 'token_keys', 'revocations']) {
    await sql`create trigger ${sql.raw(`${table}_notify_change`)} after insert or update or delete on ${sql.table(table)} for each row execute function perch_notify_change()`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['workspaces', 'origins', 'token_keys', 'revocations']) {
    await sql`drop trigger ${sql.raw(`${table}_notify_change`)} on ${sql.table(table)}`.execute(db);
  }
  await sql`drop function perch_notify_change()`.execute(db);
}
