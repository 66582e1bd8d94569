import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../store/database.js';
import { systemClock, type Clock } from '../store/clock.js';
import type { AuditEventInput, AuditSink } from './audit-event.js';
import { appendBatch, appendRunner, preparePending, type PendingAuditEvent } from './append.js';
import { exportAudit, type AuditExportFormat } from './audit-export.js';
import type { AuditFilters } from './audit-filters.js';
import { queryAudit, type AuditPage, type AuditQuery } from './audit-query.js';
import { auditedWorkspaces, dropExpiredSegments } from './audit-retention.js';
import type { AuditDatabase } from './audit-schema.js';
import { verifyAudit, type AuditVerification, type VerifyOptions } from './audit-verify.js';
import { GroupCommit } from './group-commit.js';
import { observeAuditCommit } from './audit-metrics.js';
import { attributeForms } from './stored-attributes.js';
import { workspaceKeys } from './workspace-keys.js';

export interface AuditTrailOptions {
  store: StoreDatabase;
  clock?: Clock;
  /**
   * Longest an event waits for companions before its batch commits. Default 0: the batch
   * commits on the next turn of the event loop. Under load, batching comes from the commits in
   * flight (events arriving meanwhile wait for a free slot and commit together), not from a timer.
   */
  batchMs?: number;
  /** Events per transaction at most; a full batch commits at once. Default 500. */
  batchSize?: number;
  /**
   * Batches committing at once. Default 1: the next batch forms while one commits, and commits
   * on the same workspace wait for each other's lock on the chain head anyway. Raise it when the
   * store is across a network and commits to different workspaces could overlap.
   */
  commitsInFlight?: number;
  /** Whole segments older than this many days are dropped by `applyRetention`. Unset: keep forever. */
  retentionDays?: number;
  /** Events per segment (the unit of checkpoints and retention). Default 10,000. */
  segmentSize?: number;
  /** Told about failed commits (for logs); callers already get `audit_unavailable`. */
  onError?: (error: unknown) => void;
}

/** The audit trail: the one `record()` every route calls, plus the admin reads. */
export interface AuditTrail extends AuditSink {
  /** Resolves once the event is committed; rejects with `PerchError('audit_unavailable')` otherwise. */
  record(event: AuditEventInput): Promise<void>;
  /** Commit everything recorded so far. */
  drain(): Promise<void>;
  /** Refuse new events and drain (graceful shutdown). Does not close the store. */
  close(): Promise<void>;
  query(query: AuditQuery): Promise<AuditPage>;
  export(filters: AuditFilters, format: AuditExportFormat): AsyncIterable<string>;
  verify(workspace: string, options?: VerifyOptions): Promise<AuditVerification>;
  /** Drop whole expired segments in every workspace and record an `audit.retention` event for each. */
  applyRetention(now?: Date): Promise<{ droppedSegments: number }>;
  /** Transactions committed (or attempted) so far; shows the batching. */
  readonly transactions: number;
}

export const DEFAULT_SEGMENT_SIZE = 10_000;
const DAY_MS = 86_400_000;

/**
 * Open the audit trail over the metadata store (embedded or PostgreSQL; the `0002-audit`
 * migration has already run when the store opened).
 *
 * @example
 * ```ts
 * const audit = await createAuditTrail({ store, retentionDays: 365 });
 * await audit.record({ workspace: 'default', action: 'query.run', outcome: 'success', requestId, details: { dataset: 'orders', rowCount: 12 } });
 * const { ok } = await audit.verify('default');
 * await audit.close();
 * ```
 */
export async function createAuditTrail(options: AuditTrailOptions): Promise<AuditTrail> {
  // Kysely is invariant in its database type; the audit code only ever touches audit tables.
  const db = options.store.db.withTables<AuditDatabase>() as unknown as Kysely<AuditDatabase>;
  const clock = options.clock ?? systemClock;
  const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  if (!Number.isInteger(segmentSize) || segmentSize < 1) throw new RangeError('segmentSize must be a positive integer');
  const batchSize = options.batchSize ?? 500;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const forms = attributeForms();
  const keys = workspaceKeys(db);
  const run = appendRunner(db, options.store.pool);
  const committer = new GroupCommit<PendingAuditEvent>({
    batchMs: options.batchMs ?? 0,
    batchSize,
    maxInFlight: options.commitsInFlight ?? 1,
    commit: async (batch) => {
      const started = clock.now();
      await appendBatch(db, batch, { segmentSize, keyOf: (workspace) => keys.get(workspace, started), forms, run });
      observeAuditCommit(batch.length, clock.now() - started, clock.now() - Math.min(...batch.map((e) => e.recordedAt)));
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });

  const trail: AuditTrail = {
    record(event) {
      return committer.enqueue(preparePending(event, clock.now(), forms));
    },
    drain: () => committer.drain(),
    close: () => committer.close(),
    query: (query) => queryAudit(db, query),
    export: (filters, format) => exportAudit(db, filters, format),
    verify: (workspace, verifyOptions) => verifyAudit(db, workspace, verifyOptions),
    async applyRetention(now = new Date(clock.now())) {
      if (options.retentionDays === undefined) return { droppedSegments: 0 };
      // Retention counts whole 24-hour days back from `now`; no calendar arithmetic is involved.
      const cutoff = new Date(now.getTime() - options.retentionDays * DAY_MS);
      let droppedSegments = 0;
      for (const workspace of await auditedWorkspaces(db)) {
        const result = await dropExpiredSegments(db, workspace, cutoff, segmentSize);
        if (!result) continue;
        droppedSegments += result.droppedSegments;
        await trail.record({
          workspace,
          action: 'audit.retention',
          outcome: 'success',
          requestId: `retention-${now.toISOString()}`,
          details: { droppedSegments: result.droppedSegments, throughSegment: result.throughSegment, throughSeq: result.throughSeq, cutoff: cutoff.toISOString(), retentionDays: options.retentionDays },
        });
      }
      return { droppedSegments };
    },
    get transactions() {
      return committer.transactions;
    },
  };
  return trail;
}
