import type { ColumnType } from 'kysely';
import type { JsonValue } from '@perch/protocol';

/** PostgreSQL `bigint` comes back as a string from `pg` and as a number from PGlite. */
type BigIntColumn = ColumnType<string | number, number, number>;
type Json<T> = ColumnType<T, string, string>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface AuditHeadsTable {
  workspace_id: string;
  last_seq: BigIntColumn;
  last_hash: string;
  last_time: Timestamp | null;
  /** Hex HMAC key for attribute digests; never leaves the store. */
  salt: string;
}

export interface AuditEventsTable {
  workspace_id: string;
  seq: BigIntColumn;
  segment: BigIntColumn;
  time: Timestamp;
  action: string;
  outcome: string;
  resource: string | null;
  code: string | null;
  distinct_id: string | null;
  role: string | null;
  env: string | null;
  api_key_id: string | null;
  origin: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string;
  details: Json<{ [key: string]: JsonValue }>;
  attributes: ColumnType<{ [key: string]: JsonValue } | null, string | null, string | null>;
  prev_hash: string;
  hash: string;
}

export interface AuditCheckpointsTable {
  workspace_id: string;
  segment: BigIntColumn;
  last_seq: BigIntColumn;
  last_hash: string;
  /** The time of the segment's last event (event times never decrease within a workspace). */
  created_at: Timestamp;
}

/** The audit tables, used through `db.withTables<AuditDatabase>()`. */
// A type alias, not an interface: `db.withTables<T>()` needs an index-compatible record type.
export type AuditDatabase = {
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
  audit_checkpoints: AuditCheckpointsTable;
};
