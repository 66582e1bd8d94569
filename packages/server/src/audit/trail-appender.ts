import type { Kysely } from 'kysely';
import type { StoreDatabase } from '../store/database.js';
import type { AuditDatabase } from './audit-schema.js';
import { appendBatch, HeadCache, type PendingAuditEvent } from './append-batch.js';
import { kyselyAppend, preparedAppend } from './append-statement.js';
import { FileAuditJournal, MemoryAuditJournal } from './audit-journal.js';
import { EmbeddedAppender, type EmbeddedJournalMode } from './embedded-appender.js';

/** How a trail's group commit writes its batches, per kind of store. */
export interface TrailAppender {
  /** Commit a batch durably; resolves only once it is. */
  commit(batch: readonly PendingAuditEvent[], now: number): Promise<void>;
  /** Make every committed event visible to reads (the embedded journal moves into the tables). */
  flush(): Promise<void>;
  /** The trail is closing: flush, and let go of anything it shared. */
  release(): Promise<void>;
  /** Commits in flight unless the trail's options say otherwise. */
  readonly defaultCommitsInFlight: number;
}

export interface TrailAppenderOptions {
  segmentSize: number;
  embeddedJournal: EmbeddedJournalMode;
  journalIngestDelayMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The appender for a trail on `store`.
 *
 * PostgreSQL: any number of Perch processes may append, so each batch chains from the head this
 * process last wrote and the store checks it (`appendBatch`); one commit at a time, because
 * with the server next to Perch bigger batches cost less CPU than overlapping commits save.
 *
 * Embedded: this process is the only writer, so one `EmbeddedAppender` per store keeps the head
 * in memory and is shared by every trail on the store; two commits in flight let the next batch
 * form while one is written.
 */
export function trailAppender(store: StoreDatabase, db: Kysely<AuditDatabase>, options: TrailAppenderOptions): TrailAppender {
  if (store.kind === 'embedded') return sharedEmbeddedAppender(store, db, options);
  // Heads this process committed last: lets most commits skip reading the head (one round trip).
  const heads = new HeadCache();
  const append = store.pool ? preparedAppend(store.pool) : kyselyAppend(db);
  return {
    commit: (batch, now) => appendBatch(db, batch, { segmentSize: options.segmentSize, heads, append, now }),
    flush: async () => undefined,
    release: async () => undefined,
    defaultCommitsInFlight: 1,
  };
}

const embeddedAppenders = new WeakMap<StoreDatabase, EmbeddedAppender>();

function sharedEmbeddedAppender(store: StoreDatabase, db: Kysely<AuditDatabase>, options: TrailAppenderOptions): TrailAppender {
  let appender = embeddedAppenders.get(store);
  if (!appender) {
    const journal = store.auditJournalDir === undefined ? new MemoryAuditJournal() : new FileAuditJournal(store.auditJournalDir);
    appender = new EmbeddedAppender(db, {
      journal,
      mode: options.embeddedJournal,
      segmentSize: options.segmentSize,
      ...(options.journalIngestDelayMs !== undefined ? { ingestDelayMs: options.journalIngestDelayMs } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    embeddedAppenders.set(store, appender);
  }
  const shared = appender;
  shared.users += 1;
  let released = false;
  return {
    commit: (batch, now) => shared.commit(batch, now),
    flush: () => shared.flush(),
    async release() {
      if (released) return;
      released = true;
      shared.users -= 1;
      if (shared.users > 0) return shared.flush();
      embeddedAppenders.delete(store);
      return shared.close();
    },
    defaultCommitsInFlight: 2,
  };
}
