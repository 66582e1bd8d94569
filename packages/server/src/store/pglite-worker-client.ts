import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { deserializeError, type PGliteWorkerData, type PGliteWorkerReply, type PGliteWorkerRequest } from './pglite-worker-protocol.js';

export interface PGliteQueryResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

const BOOTSTRAP = new URL('./pglite-worker-bootstrap.mjs', import.meta.url);

/**
 * SQLSTATE 08006 (connection_failure): a dead worker is a lost connection to the store, so
 * `isStoreConnectionError` maps it to 503 `store_unavailable` like a lost PostgreSQL server.
 */
const CONNECTION_FAILURE = '08006';

interface Pending {
  resolve(result: PGliteQueryResult): void;
  reject(error: Error): void;
}

/**
 * The main thread's handle on a PGlite instance that lives in a worker thread.
 *
 * `query()` posts the statement and returns at once; the worker runs statements strictly in the
 * order they were posted. Ordering across callers (transactions) is the dialect's job.
 *
 * @example
 * ```ts
 * const client = await PGliteWorkerClient.open('memory://');
 * const { rows } = await client.query('select $1::int as n', [1]);
 * await client.close();
 * ```
 */
export class PGliteWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Set once the worker is gone or closing; every later request fails with it. */
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    // Idle, the worker must not keep the process alive (an in-thread PGlite never did); while a
    // request is outstanding it must, or a script awaiting a query could exit half way.
    worker.unref();
    worker.on('message', (reply: PGliteWorkerReply) => this.#onReply(reply));
    worker.on('error', (error) => this.#fail(storeLost(`the embedded metadata store's worker failed: ${error.message}`, error)));
    worker.on('exit', (code) => this.#fail(storeLost(`the embedded metadata store's worker exited (code ${code})`)));
  }

  /**
   * Start a worker and open the store in it. `dataDir` is an absolute directory, or
   * `memory://` for a throwaway store. Rejects with PGlite's own error if the store cannot open.
   */
  static async open(dataDir: string): Promise<PGliteWorkerClient> {
    const workerData: PGliteWorkerData = { dataDir: dataDir === 'memory://' ? null : dataDir, ...(await compiledModules()) };
    const worker = new Worker(BOOTSTRAP, { workerData });
    await new Promise<void>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: PGliteWorkerReply) => {
        cleanup();
        if (reply.kind === 'ready') resolve();
        else if (reply.kind === 'open-failed') reject(deserializeError(reply.error));
        else reject(new Error(`unexpected first message from the embedded store's worker: ${reply.kind}`));
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(storeLost(`the embedded metadata store's worker exited (code ${code}) before the store opened`));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new PGliteWorkerClient(worker);
  }

  /** Post one statement; resolves with its rows or rejects with PostgreSQL's error. */
  query(sql: string, params: readonly unknown[]): Promise<PGliteQueryResult> {
    return this.#request({ kind: 'query', id: 0, sql, params });
  }

  /**
   * Let every statement already posted finish, close PGlite (flushing a directory store to
   * disk) and end the worker. Later statements fail. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      if (this.#failure === undefined) await this.#request({ kind: 'close', id: 0 });
    } finally {
      this.#failure ??= new Error('the embedded metadata store is closed');
      await this.#worker.terminate();
    }
  }

  #request(request: PGliteWorkerRequest): Promise<PGliteQueryResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#closing !== undefined && request.kind === 'query') return Promise.reject(new Error('the embedded metadata store is closed'));
    const id = this.#nextId++;
    return new Promise<PGliteQueryResult>((resolve, reject) => {
      try {
        // Throws synchronously (DataCloneError) for a parameter that cannot cross threads.
        this.#worker.postMessage({ ...request, id });
      } catch (error) {
        reject(error as Error);
        return;
      }
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
    });
  }

  #onReply(reply: PGliteWorkerReply): void {
    if (reply.kind === 'ready' || reply.kind === 'open-failed') return;
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.kind === 'result') pending.resolve({ rows: reply.rows, affectedRows: reply.affectedRows });
    else if (reply.kind === 'closed') pending.resolve({ rows: [], affectedRows: 0 });
    else pending.reject(deserializeError(reply.error));
  }

  /** The worker is gone: fail everything outstanding now and everything later at once. */
  #fail(error: Error): void {
    this.#failure ??= error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(this.#failure);
  }
}

function storeLost(message: string, cause?: Error): Error {
  return Object.assign(new Error(message, cause ? { cause } : undefined), { code: CONNECTION_FAILURE });
}

let modules: Promise<Pick<PGliteWorkerData, 'pgliteWasmModule' | 'initdbWasmModule'>> | undefined;

/**
 * PGlite's WebAssembly, compiled once per process. PGlite caches compiled modules per thread,
 * and every store has its own worker, so without this each store would compile them again.
 * If they cannot be found or compiled, the worker falls back to PGlite's own loading.
 */
function compiledModules(): Promise<Pick<PGliteWorkerData, 'pgliteWasmModule' | 'initdbWasmModule'>> {
  modules ??= (async () => {
    try {
      const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
      const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
        readFile(join(dist, 'pglite.wasm')).then((bytes) => WebAssembly.compile(bytes)),
        readFile(join(dist, 'initdb.wasm')).then((bytes) => WebAssembly.compile(bytes)),
      ]);
      return { pgliteWasmModule, initdbWasmModule };
    } catch {
      return {};
    }
  })();
  return modules;
}
