import { PerchError } from '@perch/protocol';
import type { Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { chainHash, GENESIS_HASH } from './chain-hash.js';
import { SEQ_WINDOW, seqSpan } from './seq-range.js';
import { eventFromRow, hashedFieldsOf } from './stored-event.js';

export type AuditBreak = 'hash_mismatch' | 'prev_hash_mismatch' | 'gap' | 'reorder';

export interface AuditVerification {
  ok: boolean;
  /** Events whose hash was recomputed. */
  checked: number;
  /** The first event that does not verify (for a gap: the first missing seq). */
  firstBroken?: { seq: number; reason: AuditBreak };
  /** The last event that verified (or the starting checkpoint). */
  lastSeq: number;
  lastHash: string;
}

export interface VerifyOptions {
  /** Start from this segment's checkpoint instead of the oldest trusted point. */
  fromCheckpoint?: number;
}

/**
 * Recompute a workspace's hash chain.
 *
 * It starts at the genesis hash or, when retention has dropped the oldest segments (or
 * `fromCheckpoint` asks), at a checkpoint. Each event must carry the next `seq` (else `gap`),
 * link to the previous hash (else `reorder` when the expected successor sits elsewhere in the
 * chain, `prev_hash_mismatch` otherwise) and hash to its stored `hash` (else `hash_mismatch`).
 * Checkpoints met on the way and the workspace head must agree with the chain; the head also
 * catches a truncated tail (its `seq` is then missing, a `gap`).
 *
 * @example
 * ```ts
 * const { ok, firstBroken } = await verifyAudit(db, 'default');
 * ```
 */
export async function verifyAudit(db: Kysely<AuditDatabase>, workspace: string, options: VerifyOptions = {}): Promise<AuditVerification> {
  // Verify up to the head as it is now; events appended meanwhile are the next run's business.
  const head = await db.selectFrom('audit_heads').select(['last_seq', 'last_hash']).where('workspace_id', '=', workspace).executeTakeFirst();
  const headSeq = head ? Number(head.last_seq) : 0;
  const span = await seqSpan(db, workspace);
  const start = await startingPoint(db, workspace, span.min, options);
  const checkpoints = new Map<number, string>();
  for (const c of await db.selectFrom('audit_checkpoints').select(['last_seq', 'last_hash']).where('workspace_id', '=', workspace).where('last_seq', '>', start.seq).execute()) {
    checkpoints.set(Number(c.last_seq), c.last_hash);
  }
  let lastSeq = start.seq;
  let lastHash = start.hash;
  let checked = 0;
  const broken = (seq: number, reason: AuditBreak): AuditVerification => ({ ok: false, checked, firstBroken: { seq, reason }, lastSeq, lastHash });

  const end = Math.max(headSeq, span.max);
  while (lastSeq < end) {
    const windowEnd = Math.min(lastSeq + SEQ_WINDOW, end);
    const rows = await db.selectFrom('audit_events').selectAll().where('workspace_id', '=', workspace).where('seq', '>', lastSeq).where('seq', '<=', windowEnd).orderBy('seq', 'asc').execute();
    // Within a window, every seq must be present; an empty window is a gap at its first seq.
    if (rows.length === 0) return broken(lastSeq + 1, 'gap');
    for (const row of rows) {
      const event = eventFromRow(row);
      const expected = lastSeq + 1;
      if (event.seq !== expected) return broken(expected, 'gap');
      if (event.prevHash !== lastHash) {
        return broken(event.seq, (await successorElsewhere(db, workspace, lastHash, event.seq)) ? 'reorder' : 'prev_hash_mismatch');
      }
      checked += 1;
      if (chainHash(event.prevHash, hashedFieldsOf(event)) !== event.hash) return broken(event.seq, 'hash_mismatch');
      const checkpoint = checkpoints.get(event.seq);
      if (checkpoint !== undefined && checkpoint !== event.hash) return broken(event.seq, 'hash_mismatch');
      if (event.seq === headSeq && head && head.last_hash !== event.hash) return broken(event.seq, 'hash_mismatch');
      lastSeq = event.seq;
      lastHash = event.hash;
    }
  }
  return { ok: true, checked, lastSeq, lastHash };
}

async function startingPoint(db: Kysely<AuditDatabase>, workspace: string, minSeq: number, options: VerifyOptions): Promise<{ seq: number; hash: string }> {
  if (options.fromCheckpoint !== undefined) {
    const checkpoint = await db.selectFrom('audit_checkpoints').select(['last_seq', 'last_hash']).where('workspace_id', '=', workspace).where('segment', '=', options.fromCheckpoint).executeTakeFirst();
    if (!checkpoint) throw new PerchError('not_found', { path: 'fromCheckpoint', message: 'No checkpoint for that segment.' });
    return { seq: Number(checkpoint.last_seq), hash: checkpoint.last_hash };
  }
  const firstSeq = minSeq > 0 ? minSeq : Number.MAX_SAFE_INTEGER;
  // After retention the oldest remaining event follows a checkpoint. Without one, verification
  // starts at genesis and any missing prefix is reported as a gap at seq 1.
  const checkpoint = await db
    .selectFrom('audit_checkpoints')
    .select(['last_seq', 'last_hash'])
    .where('workspace_id', '=', workspace)
    .where('last_seq', '<', firstSeq)
    .orderBy('last_seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return checkpoint ? { seq: Number(checkpoint.last_seq), hash: checkpoint.last_hash } : { seq: 0, hash: GENESIS_HASH };
}

/** Whether the event that should follow `prevHash` exists at another position. */
async function successorElsewhere(db: Kysely<AuditDatabase>, workspace: string, prevHash: string, seq: number): Promise<boolean> {
  const row = await db.selectFrom('audit_events').select('seq').where('workspace_id', '=', workspace).where('prev_hash', '=', prevHash).where('seq', '<>', seq).limit(1).executeTakeFirst();
  return row !== undefined;
}
