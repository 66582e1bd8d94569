import type { Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { groupByWorkspace, rowsDocument, type ChainedRows } from './append-batch.js';
import { kyselyAppend } from './append-statement.js';

/** A segment checkpoint row, written with the event that closes its segment. */
export type CheckpointRow = ChainedRows['checkpoints'][number];

/** One chained audit row as the journal holds it: its JSON line plus what ingestion needs. */
export interface JournalRow {
  workspace: string;
  seq: number;
  hash: string;
  prevHash: string;
  /** ISO 8601. */
  time: string;
  /** The row as JSON (the shape `jsonb_populate_recordset(null::audit_events, …)` reads). */
  json: string;
  /** Present on the row that closes a segment. */
  checkpoint?: CheckpointRow;
}

/** A workspace's consecutive rows, stored in one call that checks they continue the stored head. */
interface WorkspaceRun {
  workspace: string;
  rows: JournalRow[];
}

/**
 * Store chained rows in the audit tables, in one transaction: each workspace's rows go in with
 * the stored function that moves the head only if it still is exactly the row before the first
 * one here, so a row can never be stored twice or out of order. Throws when any workspace's head
 * is not where these rows continue it.
 *
 * @example
 * ```ts
 * await storeJournalRows(db, rows); // rows in chain order, any mix of workspaces
 * ```
 */
export async function storeJournalRows(db: Kysely<AuditDatabase>, rows: readonly JournalRow[]): Promise<void> {
  const runs = [...groupByWorkspace(rows, (row) => row.workspace)].map(([workspace, runRows]): WorkspaceRun => ({ workspace, rows: runRows }));
  const checkpoints = rows.flatMap((r) => (r.checkpoint ? [r.checkpoint] : []));
  if (runs.length === 1 && checkpoints.length === 0) {
    // One statement is already atomic: no transaction round trips.
    await storeRun(db, runs[0]!);
    return;
  }
  await db.transaction().execute(async (trx) => {
    for (const run of runs) await storeRun(trx, run);
    if (checkpoints.length > 0) await trx.insertInto('audit_checkpoints').values(checkpoints).execute();
  });
}

async function storeRun(db: Kysely<AuditDatabase>, run: WorkspaceRun): Promise<void> {
  const first = run.rows[0]!;
  const last = run.rows[run.rows.length - 1]!;
  const outcome = await kyselyAppend(db)({
    workspace: run.workspace,
    expectedSeq: first.seq - 1,
    expectedHash: first.prevHash,
    seq: last.seq,
    hash: last.hash,
    time: last.time,
    document: rowsDocument(run.rows),
  });
  if (outcome.inserted !== run.rows.length) {
    const head = outcome.head ? `#${outcome.head.seq}` : 'unknown';
    throw new Error(`audit rows #${first.seq}–#${last.seq} of workspace ${run.workspace} do not continue its stored head (${head})`);
  }
}
