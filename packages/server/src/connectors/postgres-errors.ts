import type { PerchError } from '@perch/protocol';
import { interruptError, queryFailedError, unavailableError } from './execution-guard.js';

/**
 * SQLSTATEs that mean "the server or the connection is not usable right now": shutdown, crash
 * recovery, too many connections, and connect-time refusals (bad credentials, missing database),
 * which a client cannot fix either.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '3D000']);
const UNAVAILABLE_CLASSES = ['08', '28'];

interface PgErrorShape {
  code?: unknown;
  severity?: unknown;
}

/**
 * Classifies a pg failure for a governed query. A server-reported SQL error carries a
 * `severity`; anything without one (ECONNREFUSED, "Connection terminated", pool connect timeout)
 * is a transport failure and becomes 503 `datasource_unavailable`, so the caller can retry.
 */
export function classifyPostgresError(error: unknown): PerchError {
  const { code, severity } = (typeof error === 'object' && error !== null ? error : {}) as PgErrorShape;
  if (typeof code === 'string' && (UNAVAILABLE_CLASSES.some((c) => code.startsWith(c)) || UNAVAILABLE_STATES.has(code))) return unavailableError('postgres', error);
  // 57014 without a Perch-side interrupt means the server's statement_timeout fired.
  if (code === '57014') return interruptError('timeout', error);
  if (typeof severity !== 'string') return unavailableError('postgres', error);
  return queryFailedError('postgres', error);
}

/** True when the connection itself may be broken, so the pooled client must be destroyed. */
export function isTransportFailure(error: unknown): boolean {
  return classifyPostgresError(error).code === 'datasource_unavailable';
}
