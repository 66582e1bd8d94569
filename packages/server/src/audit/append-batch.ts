import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { AuditEventInput } from './audit-event.js';
import type { AuditDatabase, AuditEventsTable } from './audit-schema.js';
import { newAuditSalt } from './attribute-digest.js';
import { storableAttributes, storedAttributes } from './stored-attributes.js';
import type { JsonValue } from './canonical-json.js';
import { chainHashOf, GENESIS_HASH, type HashedAuditFields } from './chain-hash.js';
import { serializeEvent, storedRowJson } from './event-json.js';
import { storableObject, storableText, storableTextOrNull } from './sanitize.js';
import { segmentOf } from './stored-event.js';
import { HeadCache, type CachedHead } from './head-cache.js';
import { kyselyAppend, type AppendOutcome, type AppendStatement } from './append-statement.js';

export { HeadCache, type CachedHead } from './head-cache.js';

type EventBody = Omit<HashedAuditFields, 'seq' | 'segment' | 'time' | 'attributes'>;

/** An event accepted by `record()`, already made storable, waiting for its batch. */
export interface PendingAuditEvent {
  body: EventBody;
  /** Milliseconds since the epoch when `record()` was called. */
  recordedAt: number;
  /** Raw values; digested at commit time with the workspace's salt unless raw values are on. */
  attributes: { [key: string]: JsonValue } | null;
}

/** Copy a route's event into storable form, synchronously, so later mutation cannot change it. */
export function preparePending(e: AuditEventInput, recordedAt: number): PendingAuditEvent {
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
    attributes: e.attributes === undefined ? null : storableAttributes(e.attributes),
  };
}

/** Items per workspace, each list in the order given (a batch's events, or journaled rows). */
export function groupByWorkspace<T>(items: readonly T[], workspaceOf: (item: T) => string): Map<string, T[]> {
  const byWorkspace = new Map<string, T[]>();
  for (const item of items) {
    const workspace = workspaceOf(item);
    const list = byWorkspace.get(workspace);
    if (list) list.push(item);
    else byWorkspace.set(workspace, [item]);
  }
  return byWorkspace;
}

/** How a pending event names its workspace (for `groupByWorkspace`). */
export const pendingWorkspace = (pending: PendingAuditEvent): string => pending.body.workspace;

export interface HeadRow {
  last_seq: string | number;
  last_hash: string;
  last_time: Date | string | null;
  salt: string;
  settings: { auditRawAttributes?: boolean } | string | null;
}

// 20 columns per row; PostgreSQL allows 65,535 bind parameters per statement.
const ROWS_PER_INSERT = 1000;

/**
 * A cached head is trusted for at most this long before the next commit re-reads it under
 * the lock, which also bounds how stale the raw-attributes switch can be.
 */
const HEAD_CACHE_MS = 1_000;

/**
 * Append a batch of events durably.
 *
 * Fast path (one statement, one round trip): when this process committed the workspace's last
 * known head less than a second ago, it computes the chain from that head and writes the events
 * and the new head in ONE statement whose insert happens only if the head still is what it
 * expected (`last_seq = expected`). Another writer that got in between makes the statement
 * insert nothing; the batch then takes the slow path.
 *
 * Slow path (one transaction): appends are serialized per workspace by `SELECT … FOR UPDATE` on
 * the workspace's `audit_heads` row: a second Perch process appending to the same workspace
 * waits for this transaction to commit, then reads the head this one wrote, so `seq` stays
 * gapless and every `prev_hash` is the hash of the event before it. Workspaces are locked in
 * sorted order so two processes with overlapping batches cannot deadlock.
 */
export interface AppendOptions {
  /** Events per segment (the unit of checkpoints and retention). */
  segmentSize: number;
  /** This process's heads (and the locked appends in flight); one per trail. */
  heads: HeadCache;
  /** The one-statement append (a prepared statement on PostgreSQL). Default: through Kysely. */
  append?: AppendStatement;
  /** Epoch ms, for the head cache's age. */
  now?: number;
}

export async function appendBatch(db: Kysely<AuditDatabase>, batch: readonly PendingAuditEvent[], options: AppendOptions): Promise<void> {
  const { segmentSize, heads, now = Date.now() } = options;
  const append = options.append ?? kyselyAppend(db);
  const byWorkspace = groupByWorkspace(batch, pendingWorkspace);
  const workspaces = [...byWorkspace.keys()];
  if (byWorkspace.size === 1) {
    const [workspace, events] = [...byWorkspace][0]!;
    // Behind a locked append of ours: let it refresh the head first, rather than race it.
    const locked = heads.lockedAppend(workspace);
    if (locked) await locked;
    // No await between reading the head and recording this batch's prediction (inside).
    const cached = heads.get(workspace);
    if (cached && now - cached.readAt < HEAD_CACHE_MS && (await appendFromCachedHead(append, workspace, events, cached, segmentSize, heads))) return;
  }
  await heads.runLocked(workspaces, () => appendLocked(db, byWorkspace, segmentSize, heads, now));
}

/** One event chained: where it sits, its hashes, and its stored row as JSON. */
export interface ChainedRow {
  seq: number;
  /** ISO 8601, as stored. */
  time: string;
  prevHash: string;
  hash: string;
  /** The `audit_events` row as JSON (`details` and `attributes` as JSON values), see `serializeEvent`. */
  json: string;
}

export interface ChainedRows {
  rows: ChainedRow[];
  checkpoints: { workspace_id: string; segment: number; last_seq: number; last_hash: string; created_at: string }[];
  head: { seq: number; hash: string; time: number };
}

/** Hash a workspace's events onto the chain after the given head. */
export function chain(workspace: string, events: readonly PendingAuditEvent[], start: { seq: number; hash: string; time: number; salt: string; raw: boolean }, segmentSize: number): ChainedRows {
  const rows: ChainedRow[] = [];
  const checkpoints: ChainedRows['checkpoints'] = [];
  let seq = start.seq;
  let prevHash = start.hash;
  let lastTime = start.time;
  for (const pending of events) {
    seq += 1;
    // Event times never decrease within a workspace, even across processes with skewed
    // clocks, so "older than N days" is a prefix of the chain and retention stays simple.
    lastTime = Math.max(lastTime, pending.recordedAt);
    const time = new Date(lastTime).toISOString();
    const segment = segmentOf(seq, segmentSize);
    const attributes = pending.attributes && storedAttributes(pending.attributes, start.salt, start.raw);
    const serialized = serializeEvent(hashedFields(workspace, seq, segment, time, pending.body, attributes?.value ?? null), attributes?.json);
    const hash = chainHashOf(prevHash, serialized.canonical);
    rows.push({ seq, time, prevHash, hash, json: storedRowJson(serialized, prevHash, hash) });
    if (seq % segmentSize === 0) checkpoints.push({ workspace_id: workspace, segment, last_seq: seq, last_hash: hash, created_at: time });
    prevHash = hash;
  }
  return { rows, checkpoints, head: { seq, hash: prevHash, time: lastTime } };
}

/** Chained rows as one JSON array: one bind parameter for the whole batch. */
export function rowsDocument(rows: readonly { json: string }[]): string {
  let document = '[';
  for (let i = 0; i < rows.length; i += 1) document += i === 0 ? rows[i]!.json : `,${rows[i]!.json}`;
  return `${document}]`;
}

/** Optimistic attempts (chain, conditional append) before a batch takes the locked path. */
const OPTIMISTIC_ATTEMPTS = 3;

/**
 * The one-statement append; false when the head cannot be reached this way (or a checkpoint is
 * due) and the locked path must run.
 *
 * The cache is advanced to this batch's head synchronously, before the statement is sent, so a
 * batch that starts while this one is still committing chains onto it (pipelined commits). Its
 * statement then waits on this one's row lock and re-checks the head once this one commits. If
 * this one fails, the head never reaches what the next batch expects, so that batch inserts
 * nothing: a failed batch can never leave a gap or a wrong link.
 *
 * When another writer (another replica) moved the head, the statement reports the head it saw,
 * and the batch chains again from there, a few times, before falling back to the lock: with
 * several replicas on one workspace that is one more round trip instead of a locked transaction.
 */
async function appendFromCachedHead(appendStatement: AppendStatement, workspace: string, events: readonly PendingAuditEvent[], cached: CachedHead, segmentSize: number, heads: HeadCache): Promise<boolean> {
  let settle: (written: boolean) => void = () => undefined;
  const written = new Promise<boolean>((resolve) => (settle = resolve));
  let start = cached;
  let predecessor = cached.written;
  try {
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt += 1) {
      const chained = chain(workspace, events, start, segmentSize);
      if (chained.checkpoints.length > 0) break;
      const predicted: CachedHead = { ...start, seq: chained.head.seq, hash: chained.head.hash, time: chained.head.time, written };
      heads.set(workspace, predicted);
      // Rows travel as one JSON document (jsonb columns as JSON values, not strings): one bind
      // parameter whatever the batch size, and no per-row statement text to build or parse.
      const document = rowsDocument(chained.rows);
      // The head must match both seq AND hash: seq alone could coincide with a head another
      // process wrote after a failed batch of ours, and the chain would then link to a hash
      // never stored.
      const from = start;
      const append = () =>
        appendStatement({ workspace, expectedSeq: from.seq, expectedHash: from.hash, seq: chained.head.seq, hash: chained.head.hash, time: new Date(chained.head.time).toISOString(), document });
      let outcome: AppendOutcome;
      try {
        outcome = await append();
        // Pipelined batches travel on different connections, so the store may run this
        // statement before the one of the batch it chains onto. Then the head is simply not
        // there yet: wait for that batch, and if it was written, try again as it was.
        if (outcome.inserted === 0 && predecessor !== undefined && (await predecessor)) outcome = await append();
      } catch (error) {
        heads.forget(workspace, predicted);
        throw error;
      }
      if (outcome.inserted === events.length) {
        settle(true);
        return true;
      }
      heads.forget(workspace, predicted);
      // Only a head that moved forward is worth chaining onto again; anything else (ours
      // failed, or a head we cannot explain) goes to the lock.
      if (outcome.head === undefined || outcome.head.seq <= from.seq) break;
      start = { ...start, seq: outcome.head.seq, hash: outcome.head.hash, time: Math.max(start.time, outcome.head.time), written: undefined };
      predecessor = undefined;
    }
  } catch (error) {
    settle(false);
    throw error;
  }
  settle(false);
  return false;
}

async function appendLocked(db: Kysely<AuditDatabase>, byWorkspace: Map<string, PendingAuditEvent[]>, segmentSize: number, heads: HeadCache, now: number): Promise<void> {
  const next = new Map<string, CachedHead>();
  await db.transaction().execute(async (trx) => {
    const rows: Insertable<AuditEventsTable>[] = [];
    const checkpoints: ChainedRows['checkpoints'] = [];
    for (const workspace of [...byWorkspace.keys()].sort()) {
      const head = await lockHead(trx, workspace);
      const start = {
        seq: Number(head.last_seq),
        hash: head.last_hash,
        time: head.last_time === null ? 0 : new Date(head.last_time).getTime(),
        salt: head.salt,
        raw: rawAttributesEnabled(head.settings),
      };
      const chained = chain(workspace, byWorkspace.get(workspace) ?? [], start, segmentSize);
      // The rare locked path inserts through Kysely, with jsonb columns as JSON text.
      for (const row of chained.rows) {
        const stored = JSON.parse(row.json) as Insertable<AuditEventsTable> & { details: JsonValue; attributes: JsonValue };
        rows.push({ ...stored, details: JSON.stringify(stored.details), attributes: stored.attributes === null ? null : JSON.stringify(stored.attributes) });
      }
      checkpoints.push(...chained.checkpoints);
      next.set(workspace, { ...start, ...chained.head, readAt: now });
    }
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await trx.insertInto('audit_events').values(rows.slice(i, i + ROWS_PER_INSERT)).execute();
    }
    if (checkpoints.length > 0) await trx.insertInto('audit_checkpoints').values(checkpoints).execute();
    for (const [workspace, head] of next) {
      await trx.updateTable('audit_heads').set({ last_seq: head.seq, last_hash: head.hash, last_time: new Date(head.time).toISOString() }).where('workspace_id', '=', workspace).execute();
    }
  });
  // Only after COMMIT: a rolled-back batch must not move the cached head.
  for (const [workspace, head] of next) heads.set(workspace, head);
}

/** Lock the workspace's head row, creating it (with a fresh salt) on the workspace's first event. */
export async function lockHead(trx: Transaction<AuditDatabase>, workspace: string): Promise<HeadRow> {
  const locked = await selectHeadForUpdate(trx, workspace);
  if (locked) return locked;
  await trx
    .insertInto('audit_heads')
    .values({ workspace_id: workspace, last_seq: 0, last_hash: GENESIS_HASH, last_time: null, salt: newAuditSalt() })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
  const created = await selectHeadForUpdate(trx, workspace);
  if (!created) throw new Error('audit head row vanished');
  return created;
}

async function selectHeadForUpdate(trx: Transaction<AuditDatabase>, workspace: string): Promise<HeadRow | undefined> {
  // The workspace settings ride along so the raw-attributes switch costs no extra round trip.
  const result = await sql<HeadRow>`
    select h.last_seq, h.last_hash, h.last_time, h.salt, w.settings
    from audit_heads h left join workspaces w on w.id = h.workspace_id
    where h.workspace_id = ${workspace}
    for update of h`.execute(trx);
  return result.rows[0];
}

export function rawAttributesEnabled(settings: HeadRow['settings']): boolean {
  const parsed = typeof settings === 'string' ? (JSON.parse(settings) as { auditRawAttributes?: boolean }) : settings;
  return parsed?.auditRawAttributes === true;
}

function hashedFields(workspace: string, seq: number, segment: number, time: string, body: EventBody, attributes: { [key: string]: JsonValue } | null): HashedAuditFields {
  return {
    workspace,
    seq,
    segment,
    time,
    action: body.action,
    outcome: body.outcome,
    resource: body.resource,
    code: body.code,
    distinctId: body.distinctId,
    role: body.role,
    env: body.env,
    apiKeyId: body.apiKeyId,
    origin: body.origin,
    ip: body.ip,
    userAgent: body.userAgent,
    requestId: body.requestId,
    details: body.details,
    attributes,
  };
}
