import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import { canonicalJson, type JsonValue } from '@perch/protocol';
import type { AuditEventInput } from './audit-event.js';
import type { AuditDatabase } from './audit-schema.js';
import type { HashedAuditFields } from './chain-hash.js';
import { storableObject, storableText, storableTextOrNull } from './sanitize.js';
import type { AttributeForms } from './stored-attributes.js';
import type { WorkspaceKey } from './workspace-keys.js';

type JsonObject = { [key: string]: JsonValue };

/** The hashed fields the store fills in under the chain head's lock. */
type LockedFields = 'seq' | 'segment' | 'time';
type EventBody = Omit<HashedAuditFields, LockedFields | 'attributes'>;

/** An event accepted by `record()`, already made storable, waiting for its batch. */
export interface PendingAuditEvent {
  body: EventBody;
  /** Milliseconds since the epoch when `record()` was called. */
  recordedAt: number;
  /** Storable raw values; digested at commit time with the workspace's salt unless raw values are on. */
  attributes: JsonObject | null;
}

/** Copy a route's event into storable form, synchronously, so later mutation cannot change it. */
export function preparePending(e: AuditEventInput, recordedAt: number, forms: AttributeForms): PendingAuditEvent {
  return {
    body: {
      workspace: storableText(e.workspace),
      action: e.action,
      outcome: e.outcome,
      resource: storableTextOrNull(e.resource),
      code: e.code ?? null,
      distinctId: storableTextOrNull(e.distinctId),
      role: e.role ?? null,
      env: e.env ?? null,
      apiKeyId: storableTextOrNull(e.apiKeyId),
      origin: storableTextOrNull(e.origin),
      ip: storableTextOrNull(e.ip),
      userAgent: storableTextOrNull(e.userAgent),
      requestId: storableText(e.requestId),
      details: storableObject(e.details),
    },
    recordedAt,
    attributes: e.attributes === undefined ? null : forms.storableAttributes(e.attributes),
  };
}

/**
 * An event's canonical JSON without `segment`, `seq` and `time`, as the two pieces around them.
 *
 * In canonical (RFC 8785) order those three members sit together, between `role` and
 * `userAgent`, so `before + '"segment":S,"seq":N,"time":"T",' + after` is exactly
 * `canonicalJson(fields)`. The store fills them in under the chain head's lock and hashes the
 * result (migration `0009-audit-append-locked`); a test holds the two forms equal.
 *
 * @example
 * ```ts
 * const { before, after } = canonicalAround(fields);
 * before; // '{"action":"query.run",…,"role":"viewer",'
 * after;  // '"userAgent":null,"workspace":"acme"}'
 * ```
 */
export function canonicalAround(f: Omit<HashedAuditFields, LockedFields>): { before: string; after: string } {
  const { userAgent, workspace, ...rest } = f;
  const head = canonicalJson(rest);
  return { before: `${head.slice(0, -1)},`, after: canonicalJson({ userAgent, workspace }).slice(1) };
}

export interface AppendOptions {
  /** Events per segment (the unit of checkpoints and retention). */
  segmentSize: number;
  /** Each workspace's salt and raw-attributes setting (see `workspaceKeys`). */
  keyOf(workspace: string): Promise<WorkspaceKey>;
  forms: AttributeForms;
  /** Runs the append statement with its values (see `appendRunner`). */
  run(values: unknown[]): Promise<unknown>;
}

/**
 * Append a batch durably: ONE call of the store function `perch_audit_append`, which is one
 * transaction that locks each workspace's chain head, chains, inserts and moves the head
 * (migration `0009-audit-append-locked`). The same statement on both stores; it resolves after
 * COMMIT, and a failure leaves nothing of the batch behind.
 *
 * @example
 * ```ts
 * await appendBatch(db, [preparePending(event, Date.now(), forms)], { segmentSize: 10_000, keyOf, forms, run: appendRunner(db, store.pool) });
 * ```
 */
export async function appendBatch(db: Kysely<AuditDatabase>, batch: readonly PendingAuditEvent[], options: AppendOptions): Promise<void> {
  const keys = new Map<string, WorkspaceKey>();
  for (const { body } of batch) if (!keys.has(body.workspace)) keys.set(body.workspace, await options.keyOf(body.workspace));
  const workspaces: string[] = [];
  const recordedMs: number[] = [];
  const pieces: string[] = [];
  for (const pending of batch) {
    const key = keys.get(pending.body.workspace)!;
    const attributes = pending.attributes && options.forms.storedAttributes(pending.attributes, key.salt, key.raw).value;
    const { before, after } = canonicalAround({ ...pending.body, attributes });
    workspaces.push(pending.body.workspace);
    recordedMs.push(pending.recordedAt);
    pieces.push(before, after);
  }
  // Canonical JSON never holds a raw line feed, so the store splits the pieces on it exactly.
  // Heads in code-unit order: every writer locks them in the same order (no deadlock).
  const heads = [...keys.keys()].sort();
  await options.run([heads, workspaces, recordedMs, pieces.join('\n'), options.segmentSize]);
}

const APPEND_SQL = 'select perch_audit_append($1::text[], $2::text[], $3::bigint[], $4, $5)';

/**
 * How a store runs the append statement: the same SQL on both. On PostgreSQL it is a named
 * prepared statement on the pool, so each connection parses and plans it once rather than on
 * every commit that audited requests wait for; the embedded store runs it through Kysely.
 *
 * @example
 * ```ts
 * const run = appendRunner(db, store.pool);
 * await appendBatch(db, batch, { segmentSize, keyOf, forms, run });
 * ```
 */
export function appendRunner(db: Kysely<AuditDatabase>, pool: pg.Pool | undefined): (values: unknown[]) => Promise<unknown> {
  if (pool) return (values) => pool.query({ name: 'perch_audit_append_v9', text: APPEND_SQL, values });
  return (values) => db.executeQuery(CompiledQuery.raw(APPEND_SQL, values));
}
