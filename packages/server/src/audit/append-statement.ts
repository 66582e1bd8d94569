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

// The insert happens only if the head still is exactly the seq AND hash expected (see
// `appendFromCachedHead`). One bind parameter carries every row, whatever the batch size.
const APPEND_SQL = `with moved as (
  update audit_heads set last_seq = $4, last_hash = $5, last_time = $6
  where workspace_id = $1 and last_seq = $2 and last_hash = $3
  returning 1
), inserted as (
  insert into audit_events
  select r.* from jsonb_populate_recordset(null::audit_events, $7::jsonb) as r, moved
  returning 1
)
select (select count(*) from inserted) as inserted, h.last_seq, h.last_hash, h.last_time
from audit_heads h where h.workspace_id = $1`;

interface AppendRow {
  inserted: string | number;
  last_seq: string | number;
  last_hash: string;
  last_time: Date | string | null;
}

function outcomeOf(row: AppendRow | undefined): AppendOutcome {
  const inserted = Number(row?.inserted ?? 0);
  if (inserted > 0 || row === undefined) return { inserted };
  return { inserted, head: { seq: Number(row.last_seq), hash: row.last_hash, time: row.last_time === null ? 0 : new Date(row.last_time).getTime() } };
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
 * Through the PostgreSQL pool as a named prepared statement: each connection parses and plans the
 * statement once instead of on every commit, which shortens the commit every audited request
 * waits for. Each pooled connection resolves the tables in the store's own schema (search_path).
 */
export function preparedAppend(pool: pg.Pool): AppendStatement {
  return async (params) => {
    const result = await pool.query<AppendRow>({ name: 'perch_audit_append_v2', text: APPEND_SQL, values: values(params) });
    return outcomeOf(result.rows[0]);
  };
}
