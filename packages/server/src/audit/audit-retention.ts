import { sql, type Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { segmentOf } from './stored-event.js';

export interface RetentionResult {
  workspace: string;
  droppedSegments: number;
  /** The last dropped segment; its checkpoint is where verification now starts. */
  throughSegment: number;
  throughSeq: number;
}

/**
 * Drop a workspace's whole segments whose newest event is older than `cutoff`, oldest first.
 *
 * A segment's checkpoint is written with its last event, and event times never decrease
 * within a workspace, so "the newest checkpoint older than the cutoff" names exactly the
 * prefix of the chain that may go. Partial segments are never touched, and checkpoints are
 * kept, so the remaining chain verifies from the last dropped segment's checkpoint. Runs in
 * one transaction holding the workspace's head lock, so no append interleaves.
 */
export async function dropExpiredSegments(db: Kysely<AuditDatabase>, workspace: string, cutoff: Date, segmentSize: number): Promise<RetentionResult | undefined> {
  return db.transaction().execute(async (trx) => {
    await sql`select 1 from audit_heads where workspace_id = ${workspace} for update`.execute(trx);
    const checkpoint = await trx
      .selectFrom('audit_checkpoints')
      .select(['segment', 'last_seq'])
      .where('workspace_id', '=', workspace)
      .where('created_at', '<', cutoff)
      .orderBy('segment', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!checkpoint) return undefined;
    const first = await trx.selectFrom('audit_events').select('seq').where('workspace_id', '=', workspace).orderBy('seq', 'asc').limit(1).executeTakeFirst();
    if (!first) return undefined;
    const throughSegment = Number(checkpoint.segment);
    const firstSegment = segmentOf(Number(first.seq), segmentSize);
    if (firstSegment > throughSegment) return undefined;
    // The store's append-only trigger lets a delete through only with this transaction-local flag.
    await sql`select set_config('perch.audit_retention', 'on', true)`.execute(trx);
    await trx.deleteFrom('audit_events').where('workspace_id', '=', workspace).where('segment', '<=', throughSegment).execute();
    return { workspace, droppedSegments: throughSegment - firstSegment + 1, throughSegment, throughSeq: Number(checkpoint.last_seq) };
  });
}

/** Every workspace that has an audit trail. */
export async function auditedWorkspaces(db: Kysely<AuditDatabase>): Promise<string[]> {
  const rows = await db.selectFrom('audit_heads').select('workspace_id').orderBy('workspace_id').execute();
  return rows.map((r) => r.workspace_id);
}
