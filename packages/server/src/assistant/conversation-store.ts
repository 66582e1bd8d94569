/**
 * Conversations in the metadata store, bound to (workspace, distinctId, tenant). Every read and
 * write filters on the whole binding: a conversation id alone opens nothing.
 */
import type { Kysely } from 'kysely';
import type { SemanticQuery } from '@perch/protocol';
import type { PerchDatabase } from '../store/schema.js';
import { randomId } from '../auth/secrets.js';

type AssistantConversationsTable = {
  id: string;
  workspace_id: string;
  distinct_id: string;
  tenant_key: string;
  turns: number;
  created_at: Date | string | undefined;
  updated_at: Date | string | undefined;
};

type AssistantMessagesTable = {
  conversation_id: string;
  seq: number;
  question: string;
  query: string | null;
  answer: string;
  created_at: Date | string | undefined;
};

type AssistantTables = {
  assistant_conversations: AssistantConversationsTable;
  assistant_messages: AssistantMessagesTable;
};

/** Who a conversation belongs to. `tenantKey` is the canonical JSON of the tenant value, or `''`. */
export interface ConversationOwner {
  workspaceId: string;
  distinctId: string;
  tenantKey: string;
}

export interface ConversationTurn {
  question: string;
  query: SemanticQuery | undefined;
  answer: string;
}

export interface Conversation {
  id: string;
  turns: number;
  history: ConversationTurn[];
}

/**
 * @example
 * ```ts
 * const store = new ConversationStore(ctx.store.db);
 * const conversation = await store.open(owner, request.conversationId); // undefined → 404
 * await store.append(owner, conversation.id, { question, query, answer });
 * ```
 */
export class ConversationStore {
  readonly #db: Kysely<PerchDatabase & AssistantTables>;

  constructor(db: Kysely<PerchDatabase>) {
    this.#db = db.withTables<AssistantTables>();
  }

  async create(owner: ConversationOwner): Promise<Conversation> {
    const id = randomId('conv', 24);
    await this.#db
      .insertInto('assistant_conversations')
      .values({ id, workspace_id: owner.workspaceId, distinct_id: owner.distinctId, tenant_key: owner.tenantKey, turns: 0, created_at: undefined, updated_at: undefined })
      .execute();
    return { id, turns: 0, history: [] };
  }

  /** The conversation with its last `historyTurns` turns, or `undefined` when it is not this owner's. */
  async open(owner: ConversationOwner, id: string, historyTurns = 6): Promise<Conversation | undefined> {
    const row = await this.#db
      .selectFrom('assistant_conversations')
      .select(['id', 'turns'])
      .where('id', '=', id)
      .where('workspace_id', '=', owner.workspaceId)
      .where('distinct_id', '=', owner.distinctId)
      .where('tenant_key', '=', owner.tenantKey)
      .executeTakeFirst();
    if (!row) return undefined;
    const messages = await this.#db
      .selectFrom('assistant_messages')
      .select(['question', 'query', 'answer'])
      .where('conversation_id', '=', id)
      .orderBy('seq', 'desc')
      .limit(historyTurns)
      .execute();
    return {
      id: row.id,
      turns: row.turns,
      history: messages.reverse().map((m) => ({ question: m.question, query: parseQuery(m.query), answer: m.answer })),
    };
  }

  /** Every turn of a conversation (oldest first), or `undefined` when it is not this owner's. */
  async read(owner: ConversationOwner, id: string): Promise<ConversationTurn[] | undefined> {
    const conversation = await this.open(owner, id, 10_000);
    return conversation?.history;
  }

  /** Append a turn; the turn counter is bumped under the owner's binding in the same transaction. */
  async append(owner: ConversationOwner, id: string, turn: ConversationTurn): Promise<number> {
    return this.#db.transaction().execute(async (tx) => {
      const updated = await tx
        .updateTable('assistant_conversations')
        .set((eb) => ({ turns: eb('turns', '+', 1), updated_at: new Date() }))
        .where('id', '=', id)
        .where('workspace_id', '=', owner.workspaceId)
        .where('distinct_id', '=', owner.distinctId)
        .where('tenant_key', '=', owner.tenantKey)
        .returning('turns')
        .executeTakeFirstOrThrow();
      await tx
        .insertInto('assistant_messages')
        .values({ conversation_id: id, seq: updated.turns, question: turn.question, query: turn.query ? JSON.stringify(turn.query) : null, answer: turn.answer, created_at: undefined })
        .execute();
      return updated.turns;
    });
  }
}

function parseQuery(value: unknown): SemanticQuery | undefined {
  if (value === null || value === undefined) return undefined;
  // jsonb comes back parsed from pg and PGlite; a string is tolerated for other drivers.
  return (typeof value === 'string' ? JSON.parse(value) : value) as SemanticQuery;
}
