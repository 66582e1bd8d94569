import { CompiledQuery, type Kysely } from 'kysely';
import type pg from 'pg';
import type { AuditDatabase } from './audit-schema.js';

/** The one-statement append: move the head from what the caller expects, and insert the events. */
export interface AppendParams {
  workspace: string;
  expectedSeq: number;
  expectedHash: string;
  seq: number;
  hash: string;
  /** ISO 8601 time of the last event. */
  time: string;
  /** The rows as one JSON array, `details` and `attributes` as JSON values. */
  document: string;
}

/** What the append did: events inserted (0 when the head was not the one expected), and the head it saw. */
export interface AppendOutcome {
  inserted: number;
  /**
   * The head as the statement's snapshot saw it, when nothing was inserted: lets the caller
   * chain again from there without taking the lock. May already be stale.
   */
  head?: { seq: number; hash: string; time: number };
}

export type AppendStatement = (params: AppendParams) => Promise<AppendOutcome>;

// The store function (migration 0006) inserts only if the head still is exactly the seq AND hash
// expected (see `appendFromCachedHead`). One bind parameter carries every row, whatever the
// batch size.
const APPEND_SQL = 'select appended, head_seq, head_hash, head_time from perch_audit_append($1, $2, $3, $4, $5, $6, $7::jsonb)';

interface AppendRow {
  appended: string | number;
  head_seq: string | number | null;
  head_hash: string | null;
  head_time: Date | string | null;
}

function outcomeOf(row: AppendRow | undefined): AppendOutcome {
  const inserted = Number(row?.appended ?? 0);
  if (inserted > 0 || row?.head_seq === null || row?.head_seq === undefined || row.head_hash === null) return { inserted };
  return { inserted, head: { seq: Number(row.head_seq), hash: row.head_hash, time: row.head_time === null ? 0 : new Date(row.head_time).getTime() } };
}

const values = (p: AppendParams): unknown[] => [p.workspace, p.expectedSeq, p.expectedHash, p.seq, p.hash, p.time, p.document];

/** Through Kysely (the embedded store). */
export function kyselyAppend(db: Kysely<AuditDatabase>): AppendStatement {
  return async (params) => {
    const result = await db.executeQuery<AppendRow>(CompiledQuery.raw(APPEND_SQL, values(params)));
    return outcomeOf(result.rows[0]);
  };
}

/**
 * Through the PostgreSQL pool as a named prepared statement (parsed once per connection; the
 * function keeps its own plans). Each pooled connection resolves the function and the tables in
 * the store's own schema (search_path).
 */
export function preparedAppend(pool: pg.Pool): AppendStatement {
  return async (params) => {
    const result = await pool.query<AppendRow>({ name: 'perch_audit_append_v3', text: APPEND_SQL, values: values(params) });
    return outcomeOf(result.rows[0]);
  };
}
