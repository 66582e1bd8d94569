import { PerchError } from '@perch/protocol';
import type { DialectName, GovernedSql } from '@perch/engine';

/** The small, dialect-independent vocabulary of column types a client sees. */
export type ColumnType = 'string' | 'number' | 'boolean' | 'time';

/** A normalised cell: identical across every connector for the same logical value. */
export type CellValue = string | number | boolean | null;

export interface QueryColumn {
  name: string;
  type: ColumnType;
}

export interface QueryRows {
  columns: QueryColumn[];
  rows: Array<Record<string, CellValue>>;
  /** True when the query produced more than `maxRows` rows and only the first `maxRows` are returned. */
  truncated: boolean;
}

export interface ExecuteOptions {
  /** Aborting cancels the running statement (e.g. when the HTTP client disconnects) → `query_cancelled`. */
  signal?: AbortSignal;
  /** Wall-clock budget for the statement → `query_timeout` when exceeded. */
  timeoutMs?: number;
  /** Rows to return at most; one more is fetched to detect truncation. */
  maxRows?: number;
}

/**
 * A datasource. It executes only {@link GovernedSql} — SQL that went through the engine's RLS
 * transform — so there is deliberately no method that takes a string.
 */
export interface Connector {
  readonly dialect: DialectName;
  execute(query: GovernedSql, options?: ExecuteOptions): Promise<QueryRows>;
  /** Readiness probe; throws `PerchError('datasource_unavailable')`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DuckDBConnectorConfig {
  type: 'duckdb';
  /** A database file, or `':memory:'`. */
  path: string;
  /** Open with `access_mode=READ_ONLY` (always do this when serving a warehouse file). */
  readOnly?: boolean;
  /** Connections in the pool; queries beyond this wait for a free connection. Default 4. */
  poolSize?: number;
  /** DuckDB worker threads for the instance. Default: DuckDB's own default. */
  threads?: number;
}

export interface PostgresConnectorConfig {
  type: 'postgres';
  url: string;
  /** Maximum pooled connections. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection before answering `datasource_unavailable`. Default 3000 ms. */
  connectTimeoutMs?: number;
}

export interface MySqlConnectorConfig {
  type: 'mysql';
  /** `mysql://user:password@host:3306/database`; MySQL 8 or MariaDB 10.6+. */
  url: string;
  /** Maximum pooled connections. Default 10. */
  poolSize?: number;
  /** How long to wait for a new connection before answering `datasource_unavailable`. Default 3000 ms. */
  connectTimeoutMs?: number;
}

export type ConnectorConfig = DuckDBConnectorConfig | PostgresConnectorConfig | MySqlConnectorConfig;

/** Limits applied when a call to `execute` does not give its own. */
export interface ConnectorDefaults {
  timeoutMs?: number;
  maxRows?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_ROWS = 50_000;

export interface ResolvedLimits {
  timeoutMs: number;
  maxRows: number;
}

/** Merges per-call options over connector defaults and refuses nonsense limits early. */
export function resolveLimits(options: ExecuteOptions | undefined, defaults: ConnectorDefaults | undefined): ResolvedLimits {
  const timeoutMs = options?.timeoutMs ?? defaults?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxRows = options?.maxRows ?? defaults?.maxRows ?? DEFAULT_MAX_ROWS;
  // Integers only: the PostgreSQL timeout is written into a SET LOCAL statement.
  // These come from server code, not from clients, so a bad value is our bug: internal_error.
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs <= 0) throw new PerchError('internal_error', { detail: `connector timeoutMs must be a positive integer, got ${timeoutMs}` });
  if (!Number.isSafeInteger(maxRows) || maxRows < 0) throw new PerchError('internal_error', { detail: `connector maxRows must be a non-negative integer, got ${maxRows}` });
  return { timeoutMs, maxRows };
}
