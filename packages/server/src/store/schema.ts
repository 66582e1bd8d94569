import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (`default now()`). */
type GeneratedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface WorkspaceSettings {
  /** Origins (exact scheme://host[:port]) treated as development origins for `pk_test_` tokens. */
  developmentOrigins?: string[];
  /** Store raw attribute values in the audit trail instead of salted digests. Off by default. */
  auditRawAttributes?: boolean;
  /** The attribute that names a tenant (e.g. `customerId`), used to scope maker dashboards and conversations. */
  tenantAttribute?: string;
}

export interface WorkspacesTable {
  id: string;
  name: string;
  settings: Json<WorkspaceSettings>;
  created_at: GeneratedTimestamp;
}

export type ApiKeyScope = 'tokens:create' | 'admin';
export type ApiKeyEnvironment = 'live' | 'test';

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  name: string;
  /** Display prefix, e.g. `pk_live_3fQa`; never enough to authenticate. */
  prefix: string;
  /** Hex SHA-256 of the full key. The key itself is never stored. */
  key_hash: string;
  env: ApiKeyEnvironment;
  scopes: Json<ApiKeyScope[]>;
  created_at: GeneratedTimestamp;
  last_used_at: Timestamp | null;
  expires_at: Timestamp | null;
  revoked_at: Timestamp | null;
  /** Set on the old key when it is rotated: the id of the key that replaces it. */
  replaced_by: string | null;
}

export interface TokenKeysTable {
  /** The JWE `kid`. */
  id: string;
  workspace_id: string;
  /** The 256-bit key, wrapped under PERCH_MASTER_KEY (`jwe:` prefix) or stored plain (`raw:` prefix). */
  secret: string;
  created_at: GeneratedTimestamp;
  /** After this instant the key no longer verifies; null while it is the active key. */
  retire_after: Timestamp | null;
}

export interface RevocationsTable {
  id: string;
  workspace_id: string;
  /** Revoke one token by its `jti`. */
  token_id: string | null;
  /** Or revoke every token of a distinctId issued before `issued_before`. */
  distinct_id: string | null;
  issued_before: Timestamp | null;
  created_at: GeneratedTimestamp;
  /** After this instant every token the entry could match has expired, so it may be pruned. */
  expires_at: Timestamp;
}

export interface OriginsTable {
  workspace_id: string;
  origin: string;
  created_at: GeneratedTimestamp;
}

export interface PerchDatabase {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  token_keys: TokenKeysTable;
  revocations: RevocationsTable;
  origins: OriginsTable;
}
