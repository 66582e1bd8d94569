/**
 * Messages between the main thread and the worker that owns the embedded store's PGlite
 * instance (`pglite-worker.ts`). Everything here crosses the thread boundary by structured
 * clone, so it holds plain data only: rows keep PGlite's parsed types (Date for timestamptz,
 * number or bigint for int8, parsed jsonb, Uint8Array for bytea), which all clone unchanged.
 */

/**
 * What a worker is started with (`workerData`). A worker serves one store at a time and may serve
 * several in turn (`open` … `close`, then `open` again): starting a worker and loading PGlite
 * into it costs more than opening a store.
 */
export interface PGliteWorkerData {
  /**
   * PGlite's WebAssembly modules, compiled once per process on the main thread. A compiled
   * module clones to a worker without recompiling.
   */
  pgliteWasmModule?: WebAssembly.Module;
  initdbWasmModule?: WebAssembly.Module;
}

export type PGliteWorkerRequest =
  /** `dataDir`: absolute directory of the store, or null for a throwaway in-memory store. */
  | { kind: 'open'; id: number; dataDir: string | null }
  | { kind: 'query'; id: number; sql: string; params: readonly unknown[] }
  | { kind: 'close'; id: number };

export type PGliteWorkerReply =
  | { kind: 'result'; id: number; rows: Record<string, unknown>[]; affectedRows: number }
  /** The answer to `open` and `close`. */
  | { kind: 'done'; id: number }
  | { kind: 'error'; id: number; error: SerializedError };

/**
 * An error thrown in the worker. Structured clone keeps only an Error's message and stack, so
 * PostgreSQL's fields (`code`, `detail`, `constraint`, …) travel separately and are put back on
 * the Error the caller receives.
 */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, string | number | readonly unknown[] | null>;
}

/** The fields of PGlite's DatabaseError (pg-protocol's NoticeOrError, plus the failed query). */
export const DATABASE_ERROR_FIELDS = [
  'length',
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
  'query',
  'params',
] as const;

export function serializeError(error: unknown): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error), fields: {} };
  const fields: SerializedError['fields'] = {};
  const source = error as Record<string, unknown>;
  // Emscripten's ErrnoError (e.g. a data directory that is a file) carries an errno, no message.
  const name = typeof source.name === 'string' ? source.name : 'Error';
  const message = typeof source.message === 'string' ? source.message : typeof source.errno === 'number' ? `${name}: errno ${source.errno}` : String(error);
  for (const field of DATABASE_ERROR_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number' || value === null) fields[field] = value;
    else if (Array.isArray(value)) fields[field] = value;
  }
  return { name, message, fields };
}

/** Rebuild a worker's error on the calling thread, with the caller's stack. */
export function deserializeError(serialized: SerializedError): Error {
  const error = new Error(serialized.message);
  // PGlite's DatabaseError is named 'error' (as in pg-protocol); keep whatever name it had.
  error.name = serialized.name;
  return Object.assign(error, serialized.fields);
}
