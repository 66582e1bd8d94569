import { unlinkSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { listJournalFiles, readJournalLines } from './audit-journal.js';
import { storeJournalRows, type JournalRow } from './journal-rows.js';

/** Rows per transaction while replaying. */
const REPLAY_CHUNK = 1_000;

interface JournalLine {
  workspace_id: string;
  seq: number;
  segment: number;
  time: string;
  prev_hash: string;
  hash: string;
  closes_segment?: boolean;
}

/**
 * Move what an embedded store's audit journal holds into its tables, then delete the journal.
 * Runs when the store opens, before anything else can read or write the trail: rows a previous
 * process journaled (and answered requests for) but had not stored when it stopped or was
 * killed are stored now, in chain order. Rows already stored are skipped.
 *
 * Throws, leaving the journal and the tables as they were, when a row does not continue its
 * workspace's stored chain or a line other than a torn last one is unreadable: that journal was
 * damaged, and guessing would break the trail's proof.
 *
 * @example
 * ```ts
 * const replayed = await replayAuditJournal(db, join(dataDir, 'audit-journal'));
 * ```
 */
export async function replayAuditJournal(db: Kysely<AuditDatabase>, directory: string): Promise<{ replayed: number }> {
  const files = listJournalFiles(directory);
  if (files.length === 0) return { replayed: 0 };
  const rows: JournalRow[] = [];
  for (const file of files) {
    readJournalLines(file.path).forEach((line, index) => rows.push(parseLine(line, `${file.path}:${index + 1}`)));
  }
  const stored = new Map<string, number>();
  const fresh: JournalRow[] = [];
  for (const row of rows) {
    let head = stored.get(row.workspace);
    if (head === undefined) {
      const { rows: heads } = await sql<{ last_seq: string | number }>`select last_seq from audit_heads where workspace_id = ${row.workspace}`.execute(db);
      head = Number(heads[0]?.last_seq ?? 0);
      stored.set(row.workspace, head);
    }
    if (row.seq > head) fresh.push(row);
  }
  // storeJournalRows checks that each run continues the stored head exactly (seq and hash).
  for (let i = 0; i < fresh.length; i += REPLAY_CHUNK) await storeJournalRows(db, fresh.slice(i, i + REPLAY_CHUNK));
  for (const file of files) unlinkSync(file.path);
  return { replayed: fresh.length };
}

function parseLine(line: string, where: string): JournalRow {
  let parsed: JournalLine;
  try {
    parsed = JSON.parse(line) as JournalLine;
  } catch {
    throw new Error(`the audit journal is damaged at ${where}: the line is not JSON`);
  }
  if (typeof parsed.workspace_id !== 'string' || !Number.isSafeInteger(parsed.seq) || typeof parsed.hash !== 'string' || typeof parsed.prev_hash !== 'string' || typeof parsed.time !== 'string') {
    throw new Error(`the audit journal is damaged at ${where}: the line is not an audit row`);
  }
  return {
    workspace: parsed.workspace_id,
    seq: parsed.seq,
    hash: parsed.hash,
    prevHash: parsed.prev_hash,
    time: parsed.time,
    json: line,
    ...(parsed.closes_segment === true
      ? { checkpoint: { workspace_id: parsed.workspace_id, segment: parsed.segment, last_seq: parsed.seq, last_hash: parsed.hash, created_at: parsed.time } }
      : {}),
  };
}
