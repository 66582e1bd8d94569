/** Node socket errors that mean "the server is not there", not "the request was wrong". */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Messages of the `pg` driver and pool for lost or impossible connections. */
const DRIVER_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /connection timeout/i, /client has encountered a connection error/i, /cannot use a pool after calling end/i, /query read timeout/i];

/**
 * True when `error` says the metadata store cannot be reached: socket errors, the driver's
 * connection messages, and PostgreSQL's SQLSTATE classes 08 (connection exception) and 57P
 * (operator intervention, e.g. a shutdown in progress). Such errors map to 503
 * `store_unavailable`, never to a 500.
 *
 * @example
 * ```ts
 * isStoreConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // true
 * ```
 */
export function isStoreConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || code.startsWith('08') || code.startsWith('57P'))) return true;
  if (DRIVER_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isStoreConnectionError(cause);
}
