import { sql, type Kysely } from 'kysely';
import { PerchError } from '@perch/protocol';
import type { AuditDatabase } from './audit-schema.js';
import { chain, groupByWorkspace, lockHead, pendingWorkspace, rawAttributesEnabled, type ChainedRow, type ChainedRows, type PendingAuditEvent } from './append-batch.js';
import type { AuditJournal } from './audit-journal.js';
import { storeJournalRows, type CheckpointRow, type JournalRow } from './journal-rows.js';
import { observeJournalBacklog } from './audit-metrics.js';

/**
 * When the embedded store journals: `auto` under load (see `EmbeddedAppender`),
 * `always`, or `never` (every commit goes straight into the tables).
 */
export type EmbeddedJournalMode = 'auto' | 'always' | 'never';

export interface EmbeddedAppenderOptions {
  journal: AuditJournal;
  mode: EmbeddedJournalMode;
  segmentSize: number;
  /** How long journaled rows wait for companions before they move into the tables together. */
  ingestDelayMs?: number;
  /** Told about failed ingestions (for logs); commits fail closed meanwhile. */
  onError?: (error: unknown) => void;
}

interface ChainHead {
  seq: number;
  hash: string;
  time: number;
  salt: string;
  raw: boolean;
  /** When the workspace's raw-attributes setting was last read (epoch ms). */
  settingsReadAt: number;
}

/** Journaled and durable, waiting to be moved into the tables. */
interface PendingRow extends JournalRow {
  file: number;
}

/** The raw-attributes switch is re-read at most this often, as on the PostgreSQL store. */
const SETTINGS_REFRESH_MS = 1_000;
/** `auto` also journals a commit that starts within this long of the last one's end. */
const RECENT_COMMIT_MS = 50;
/** Default of `ingestDelayMs`. */
export const DEFAULT_INGEST_DELAY_MS = 40;
/** Rows per ingestion transaction at most. */
const INGEST_MAX_ROWS = 2_000;
/**
 * Journaled rows waiting at most. Beyond, a commit waits for the tables to catch up first: the
 * journal absorbs bursts, but it must not grow without bound when events arrive faster than
 * the store can take them (and a read, which waits for the backlog, must stay quick).
 */
const MAX_BACKLOG_ROWS = 10_000;
/** After a failed ingestion, the next attempt waits this long. */
const INGEST_RETRY_MS = 250;

/**
 * The audit appender of the embedded store, one per store and process (the embedded store has
 * exactly one writer, this process, so the chain's head can live in memory).
 *
 * Why a journal: every statement on the embedded store is a round trip to its worker thread and
 * hundreds of microseconds of WebAssembly, whatever its size. Under load, one transaction per
 * small batch made the durable audit trail cost a third of the throughput of cached queries.
 * So under traffic (`auto`: a commit that had to wait for another one, or that starts within
 * 50 ms of the last one's end) a commit is the chained rows
 * appended to the journal, a file next to the store, and requests are answered once it holds
 * them. The rows move into the tables in bulk about every 40 ms (`ingestDelayMs`); reads (`flush`) wait for that.
 * When quiet, a commit goes straight into the tables, as on PostgreSQL.
 *
 * Fail closed: if moving rows into the tables fails, every later commit fails with
 * `audit_unavailable` until it succeeds again. Journaled rows are never dropped: they stay in
 * the journal and are retried, and a store opened after a crash replays them first
 * (`replayAuditJournal`).
 */
export class EmbeddedAppender {
  readonly #db: Kysely<AuditDatabase>;
  readonly #options: EmbeddedAppenderOptions;
  readonly #heads = new Map<string, ChainHead>();
  readonly #pending: PendingRow[] = [];
  /** Commits called and not yet finished. */
  #commitsUnderway = 0;
  /** `performance.now()` when the last commit finished (the trail's clock may be a test's). */
  #lastCommitEnded = Number.NEGATIVE_INFINITY;
  /** Commits run one at a time, in order: each chains onto the one before. */
  #tail: Promise<unknown> = Promise.resolve();
  #ingesting: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failure: unknown;
  readonly #ingestDelayMs: number;
  /** Rows ever journaled (those moved into the tables are that minus the ones still pending). */
  #journaledRows = 0;
  /** Trails using this appender; the journal closes with the last. */
  users = 0;

  constructor(db: Kysely<AuditDatabase>, options: EmbeddedAppenderOptions) {
    this.#db = db;
    this.#options = options;
    this.#ingestDelayMs = options.ingestDelayMs ?? DEFAULT_INGEST_DELAY_MS;
  }

  /** Commit a batch durably: into the journal or the tables. Resolves only once it is. */
  commit(batch: readonly PendingAuditEvent[], now: number): Promise<void> {
    // A commit that has to queue behind another is the sign of load: the tables cannot keep up
    // with one transaction per batch, so this one goes to the journal.
    const queued = this.#commitsUnderway > 0;
    this.#commitsUnderway += 1;
    const run = this.#tail
      .then(() => this.#commit(batch, now, queued))
      .finally(() => {
        this.#commitsUnderway -= 1;
        this.#lastCommitEnded = performance.now();
      });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Move every row journaled so far into the tables (before a read, and at shutdown). Rows
   * journaled after the call are not waited for, so a read finishes under sustained load too.
   */
  async flush(): Promise<void> {
    await this.#tail;
    const target = this.#journaledRows;
    while (this.#journaledRows - this.#pending.length < target) {
      if (this.#ingesting) {
        await this.#ingesting;
        continue;
      }
      await this.#ingest();
      if (this.#failure !== undefined) throw unavailable(this.#failure);
    }
  }

  /** Flush, then close the journal. Rows that could not be moved stay in it for the next start. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#options.journal.close();
    }
  }

  async #commit(batch: readonly PendingAuditEvent[], now: number, queued: boolean): Promise<void> {
    if (this.#failure !== undefined) {
      this.#scheduleIngest(0);
      throw unavailable(this.#failure);
    }
    const rows: PendingRow[] = [];
    const next = new Map<string, ChainedRows['head']>();
    for (const [workspace, events] of groupByWorkspace(batch, pendingWorkspace)) {
      const head = await this.#head(workspace, now);
      const chained = chain(workspace, events, head, this.#options.segmentSize);
      const checkpoints = new Map<number, CheckpointRow>(chained.checkpoints.map((c) => [c.last_seq, c]));
      for (const row of chained.rows) rows.push(journalRow(workspace, row, checkpoints.get(row.seq)));
      next.set(workspace, chained.head);
    }
    if (this.#journals(queued)) {
      while (this.#pending.length >= MAX_BACKLOG_ROWS) {
        await this.#ingest();
        if (this.#failure !== undefined) throw unavailable(this.#failure);
      }
      let lines = '';
      for (const row of rows) lines += `${row.json}\n`;
      const file = this.#options.journal.append(lines, rows.length);
      for (const row of rows) {
        row.file = file;
        this.#pending.push(row);
      }
      this.#journaledRows += rows.length;
      observeJournalBacklog(this.#pending.length);
      this.#scheduleIngest(this.#pending.length >= INGEST_MAX_ROWS ? 0 : this.#ingestDelayMs);
    } else {
      await storeJournalRows(this.#db, rows);
    }
    // Only now: a commit that failed leaves the head where the stored (or journaled) chain ends.
    // Merged into the current entry, which a settings refresh may have updated meanwhile.
    for (const [workspace, head] of next) this.#heads.set(workspace, { ...this.#heads.get(workspace)!, seq: head.seq, hash: head.hash, time: head.time });
  }

  /** Journal this commit? */
  #journals(queued: boolean): boolean {
    const { mode } = this.#options;
    if (mode === 'never') return false;
    // Rows already journaled come first: a commit may never overtake them into the tables.
    if (mode === 'always' || queued || this.#pending.length > 0 || this.#ingesting !== undefined) return true;
    // Traffic: another commit ended moments ago. Each direct commit is a round trip to the
    // store's worker thread, whose wake-ups and WebAssembly cost about as much CPU as a
    // journal ingestion of many rows.
    return performance.now() - this.#lastCommitEnded < RECENT_COMMIT_MS;
  }

  /** The workspace's head as this process last wrote it, read from the store the first time. */
  async #head(workspace: string, now: number): Promise<ChainHead> {
    const known = this.#heads.get(workspace);
    if (known) {
      if (now - known.settingsReadAt >= SETTINGS_REFRESH_MS) this.#refreshSettings(workspace, known, now);
      return known;
    }
    const row = await this.#db.transaction().execute((trx) => lockHead(trx, workspace));
    const head: ChainHead = {
      seq: Number(row.last_seq),
      hash: row.last_hash,
      time: row.last_time === null ? 0 : new Date(row.last_time).getTime(),
      salt: row.salt,
      raw: rawAttributesEnabled(row.settings),
      settingsReadAt: now,
    };
    this.#heads.set(workspace, head);
    return head;
  }

  /**
   * Re-read the workspace's raw-attributes switch in the background. Commits do not wait for
   * it: the read queues behind any ingestion on the store's worker, and every commit would
   * wait too. Until it lands (and if it fails) commits use the value read before.
   */
  #refreshSettings(workspace: string, known: ChainHead, now: number): void {
    this.#heads.set(workspace, { ...known, settingsReadAt: now });
    sql<{ settings: Parameters<typeof rawAttributesEnabled>[0] }>`select settings from workspaces where id = ${workspace}`.execute(this.#db).then(
      ({ rows }) => {
        const current = this.#heads.get(workspace);
        if (current) this.#heads.set(workspace, { ...current, raw: rawAttributesEnabled(rows[0]?.settings ?? null) });
      },
      () => undefined,
    );
  }

  #scheduleIngest(delayMs: number): void {
    if (this.#ingesting || this.#pending.length === 0) return;
    if (this.#timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.#timer);
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#ingest();
    }, delayMs);
    // Shutdown flushes explicitly; a pending timer must not keep the process alive.
    this.#timer.unref();
  }

  /** Move the oldest journaled rows into the tables; never rejects (failures are kept). */
  #ingest(): Promise<void> {
    if (this.#ingesting) return this.#ingesting;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const rows = this.#pending.slice(0, INGEST_MAX_ROWS);
    if (rows.length === 0) return Promise.resolve();
    const run = (async () => {
      try {
        await storeJournalRows(this.#db, rows);
      } catch (error) {
        this.#failure = error;
        this.#options.onError?.(error);
        return;
      } finally {
        this.#ingesting = undefined;
      }
      this.#failure = undefined;
      this.#pending.splice(0, rows.length);
      observeJournalBacklog(this.#pending.length);
      const perFile = new Map<number, number>();
      for (const row of rows) perFile.set(row.file, (perFile.get(row.file) ?? 0) + 1);
      for (const [file, count] of perFile) this.#options.journal.ingested(file, count);
    })();
    this.#ingesting = run;
    void run.then(() => this.#scheduleIngest(this.#failure !== undefined ? INGEST_RETRY_MS : this.#pending.length >= INGEST_MAX_ROWS ? 0 : this.#ingestDelayMs));
    return run;
  }
}

/** A chained row as the journal holds it; `file` is set once it is journaled. */
function journalRow(workspace: string, row: ChainedRow, checkpoint: CheckpointRow | undefined): PendingRow {
  return {
    file: -1,
    workspace,
    seq: row.seq,
    hash: row.hash,
    prevHash: row.prevHash,
    time: row.time,
    // `closes_segment` lets a replay rebuild the checkpoint; the table has no such column.
    json: checkpoint ? `${row.json.slice(0, -1)},"closes_segment":true}` : row.json,
    ...(checkpoint ? { checkpoint } : {}),
  };
}

function unavailable(cause: unknown): PerchError {
  return new PerchError('audit_unavailable', { detail: `the audit store is not accepting events: ${(cause as Error)?.message ?? String(cause)}`, cause });
}
