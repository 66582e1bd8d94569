import { sql, type Kysely } from 'kysely';

/**
 * The audit trail: a hash chain of events per workspace, its per-workspace head (the lock that
 * serializes appends across Perch processes, and the HMAC salt for attribute digests) and the
 * segment checkpoints that verification and retention start from. See docs/audit.md.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_heads')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('last_time', 'timestamptz')
    .addColumn('salt', 'text', (c) => c.notNull())
    .execute();

  // No foreign key to workspaces: a token for an unknown workspace is still worth recording.
  await db.schema
    .createTable('audit_events')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('segment', 'bigint', (c) => c.notNull())
    .addColumn('time', 'timestamptz', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('resource', 'text')
    .addColumn('code', 'text')
    .addColumn('distinct_id', 'text')
    .addColumn('role', 'text')
    .addColumn('env', 'text')
    .addColumn('api_key_id', 'text')
    .addColumn('origin', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('details', 'jsonb', (c) => c.notNull())
    .addColumn('attributes', 'jsonb')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_events_pk', ['workspace_id', 'seq'])
    .execute();
  await db.schema.createIndex('audit_events_distinct_id').on('audit_events').columns(['workspace_id', 'distinct_id', 'seq']).execute();

  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('segment', 'bigint', (c) => c.notNull())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_checkpoints_pk', ['workspace_id', 'segment'])
    .execute();

  // Defence in depth: Perch itself never updates or deletes audit rows, and the store refuses to
  // as well. Only retention may delete, and it says so with a transaction-local setting. A
  // superuser can still disable the trigger; the hash chain is what detects that.
  await sql`
    create function perch_audit_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and current_setting('perch.audit_retention', true) = 'on' then
        return old;
      end if;
      raise exception 'audit tables are append-only';
    end
    $$`.execute(db);
  await sql`create trigger audit_events_append_only before update or delete on audit_events for each row execute function perch_audit_append_only()`.execute(db);
  await sql`create trigger audit_events_no_truncate before truncate on audit_events for each statement execute function perch_audit_append_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['audit_checkpoints', 'audit_events', 'audit_heads']) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function perch_audit_append_only()`.execute(db);
}
