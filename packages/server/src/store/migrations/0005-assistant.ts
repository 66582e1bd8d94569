import { sql, type Kysely } from 'kysely';

/**
 * Assistant conversations. A conversation belongs to one (workspace, distinctId, tenant) triple,
 * and every read filters on all three, so another user's or tenant's token can neither read nor
 * continue it. Messages keep the question, the semantic query and the answer text; never rows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('assistant_conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('distinct_id', 'text', (c) => c.notNull())
    .addColumn('tenant_key', 'text', (c) => c.notNull())
    .addColumn('turns', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('assistant_conversations_owner').on('assistant_conversations').columns(['workspace_id', 'distinct_id', 'tenant_key']).execute();
  await db.schema
    .createTable('assistant_messages')
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('assistant_conversations.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('query', 'jsonb')
    .addColumn('answer', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('assistant_messages_pk', ['conversation_id', 'seq'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('assistant_messages').execute();
  await db.schema.dropTable('assistant_conversations').execute();
}
