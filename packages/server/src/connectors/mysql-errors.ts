import type { PerchError } from '@perch/protocol';
import { interruptError, queryFailedError, unavailableError } from './execution-guard.js';

/**
 * Server error numbers that mean "the server or the connection is not usable right now": too many
 * connections, refused credentials, unknown database, shutdown, a killed connection, and the
 * client-side "gone away" / "lost connection" codes.
 */
const UNAVAILABLE_ERRNOS = new Set([1040, 1044, 1045, 1049, 1053, 1077, 1152, 1153, 1158, 1159, 1160, 1161, 1203, 1226, 1927, 2002, 2003, 2006, 2013]);
/** MariaDB `max_statement_time` (1969) and MySQL `max_execution_time` (3024). */
const TIMEOUT_ERRNOS = new Set([1969, 3024]);

interface MySqlErrorShape {
  errno?: unknown;
  sqlState?: unknown;
  code?: unknown;
  fatal?: unknown;
}

/**
 * Classifies a mysql2 failure of a governed query. A server-reported SQL error carries a numeric
 * `errno` and a `sqlState`; a failure of the connection itself (ECONNREFUSED, a connect timeout,
 * PROTOCOL_CONNECTION_LOST) is `fatal` or carries only a Node error code, and becomes 503
 * `datasource_unavailable`, so the caller can retry.
 */
export function classifyMySqlError(error: unknown): PerchError {
  const { errno, sqlState, code, fatal } = (typeof error === 'object' && error !== null ? error : {}) as MySqlErrorShape;
  if (typeof errno === 'number' && UNAVAILABLE_ERRNOS.has(errno)) return unavailableError('mysql', error);
  if (typeof sqlState === 'string' && sqlState.startsWith('08')) return unavailableError('mysql', error);
  // A server-side statement time limit without a Perch-side interrupt.
  if (typeof errno === 'number' && TIMEOUT_ERRNOS.has(errno)) return interruptError('timeout', error);
  if (fatal === true) return unavailableError('mysql', error);
  if (typeof sqlState === 'string' && typeof errno === 'number') return queryFailedError('mysql', error);
  if (typeof code === 'string') return unavailableError('mysql', error);
  return queryFailedError('mysql', error);
}

/** True when the connection itself may be broken, so it must be destroyed rather than pooled. */
export function isMySqlTransportFailure(error: unknown): boolean {
  return classifyMySqlError(error).code === 'datasource_unavailable';
}
