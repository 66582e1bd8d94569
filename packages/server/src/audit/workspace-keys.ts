import { sql, type Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { newAuditSalt } from './attribute-digest.js';
import { GENESIS_HASH } from './chain-hash.js';

/** What an append needs to know about a workspace before it can build its events. */
export interface WorkspaceKey {
  /** The workspace's HMAC salt for attribute digests. Written once with the head row; never changes. */
  salt: string;
  /** Whether the workspace keeps raw attribute values instead of digests. */
  raw: boolean;
}

/** The workspace setting is re-read at most this often, so turning raw values on or off takes effect within seconds. */
const SETTINGS_REFRESH_MS = 1_000;
/**
 * Workspaces remembered at most. Events for unknown workspaces are recorded too (a refused token
 * names one), so the memory is bounded; forgetting only costs one read.
 */
const MAX_REMEMBERED = 10_000;

interface KeyRow {
  salt: string;
  settings: { auditRawAttributes?: boolean } | string | null;
}

/**
 * One trail's view of its workspaces' salts and raw-attributes settings.
 *
 * The salt must be known before an event's attributes are digested, and the digests are part of
 * what the store hashes, so it is read here ahead of the append rather than under its lock. That
 * is safe because a salt never changes once its head row exists. The raw-attributes setting can
 * change; it is re-read after a second, and a batch in between uses the value read before.
 *
 * @example
 * ```ts
 * const keys = workspaceKeys(db);
 * const { salt, raw } = await keys.get('acme', Date.now());
 * ```
 */
export function workspaceKeys(db: Kysely<AuditDatabase>): { get(workspace: string, now: number): Promise<WorkspaceKey> } {
  const known = new Map<string, WorkspaceKey & { readAt: number }>();
  return {
    async get(workspace, now) {
      const cached = known.get(workspace);
      if (cached && now - cached.readAt < SETTINGS_REFRESH_MS) return cached;
      const row = (await readKey(db, workspace)) ?? (await createHead(db, workspace));
      const key = { salt: row.salt, raw: rawAttributesEnabled(row.settings), readAt: now };
      if (known.size >= MAX_REMEMBERED) known.clear();
      known.set(workspace, key);
      return key;
    },
  };
}

async function readKey(db: Kysely<AuditDatabase>, workspace: string): Promise<KeyRow | undefined> {
  const result = await sql<KeyRow>`
    select h.salt, w.settings from audit_heads h left join workspaces w on w.id = h.workspace_id
    where h.workspace_id = ${workspace}`.execute(db);
  return result.rows[0];
}

/** The workspace's first event: its head row, with a fresh salt (another writer may get there first; its salt wins). */
async function createHead(db: Kysely<AuditDatabase>, workspace: string): Promise<KeyRow> {
  await db
    .insertInto('audit_heads')
    .values({ workspace_id: workspace, last_seq: 0, last_hash: GENESIS_HASH, last_time: null, salt: newAuditSalt() })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  const created = await readKey(db, workspace);
  if (!created) throw new Error('audit head row vanished');
  return created;
}

function rawAttributesEnabled(settings: KeyRow['settings']): boolean {
  const parsed = typeof settings === 'string' ? (JSON.parse(settings) as { auditRawAttributes?: boolean }) : settings;
  return parsed?.auditRawAttributes === true;
}
