import { Worker } from 'node:worker_threads';
import { compiledPGliteModules } from './pglite-wasm.js';
import { deserializeError, type PGliteWorkerData, type PGliteWorkerReply, type PGliteWorkerRequest } from './pglite-worker-protocol.js';

export interface PGliteQueryResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
}

export interface PGliteWorkerOptions {
  /** The worker's entry module; only tests change it (a worker that misbehaves on purpose). */
  workerEntry?: URL;
}

const BOOTSTRAP = new URL('./pglite-worker-bootstrap.mjs', import.meta.url);

/**
 * SQLSTATE 08006 (connection_failure): a dead worker is a lost connection to the store, so
 * `isStoreConnectionError` maps it to 503 `store_unavailable` like a lost PostgreSQL server.
 */
const CONNECTION_FAILURE = '08006';

/**
 * Workers whose store closed cleanly, kept for the next store this process opens: starting a
 * worker and loading tsx and PGlite into it costs several hundred milliseconds, more than opening
 * a store from disk, and tests open many stores one after another.
 */
const idleWorkers: Worker[] = [];
const MAX_IDLE_WORKERS = 2;
const dropIdle = (worker: Worker) => () => {
  const index = idleWorkers.indexOf(worker);
  if (index >= 0) idleWorkers.splice(index, 1);
};
const idleExitListeners = new WeakMap<Worker, () => void>();

async function takeWorker(entry: URL): Promise<{ worker: Worker; poolable: boolean }> {
  if (entry.href !== BOOTSTRAP.href) return { worker: new Worker(entry, { workerData: await compiledPGliteModules() }), poolable: false };
  const worker = idleWorkers.pop();
  if (worker !== undefined) {
    const listener = idleExitListeners.get(worker);
    if (listener) worker.off('exit', listener);
    return { worker, poolable: true };
  }
  const workerData: PGliteWorkerData = await compiledPGliteModules();
  return { worker: new Worker(entry, { workerData }), poolable: true };
}

/** Keep a worker for reuse, or end it when enough are kept already. */
async function giveBack(worker: Worker): Promise<void> {
  if (idleWorkers.length >= MAX_IDLE_WORKERS) {
    await worker.terminate();
    return;
  }
  const listener = dropIdle(worker);
  idleExitListeners.set(worker, listener);
  worker.on('exit', listener);
  worker.unref();
  idleWorkers.push(worker);
}

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
  readonly #poolable: boolean;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  /** Set once the worker is gone or the store closed; every later request fails with it. */
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  readonly #onMessage = (reply: PGliteWorkerReply) => this.#onReply(reply);
  readonly #onError = (error: Error) => this.#fail(storeLost(`the embedded metadata store's worker failed: ${error.message}`, error));
  readonly #onExit = (code: number) => this.#fail(storeLost(`the embedded metadata store's worker exited (code ${code})`));

  private constructor(worker: Worker, poolable: boolean) {
    this.#worker = worker;
    this.#poolable = poolable;
    // Idle, the worker must not keep the process alive (an in-thread PGlite never did); while a
    // request is outstanding it must, or a script awaiting a query could exit half way.
    worker.unref();
    worker.on('message', this.#onMessage);
    worker.on('error', this.#onError);
    worker.on('exit', this.#onExit);
  }

  /**
   * Open a store in a worker thread. `dataDir` is an absolute directory, or `memory://` for a
   * throwaway store. Rejects with PGlite's own error if the store cannot be opened, and with an
   * Error (code 08006) if the worker dies first.
   */
  static async open(dataDir: string, options: PGliteWorkerOptions = {}): Promise<PGliteWorkerClient> {
    const { worker, poolable } = await takeWorker(options.workerEntry ?? BOOTSTRAP);
    const client = new PGliteWorkerClient(worker, poolable);
    try {
      await client.#request({ kind: 'open', id: 0, dataDir: dataDir === 'memory://' ? null : dataDir });
    } catch (error) {
      // A worker whose open failed half way is not trusted with another store.
      client.#failure ??= error as Error;
      client.#detach();
      await worker.terminate();
      throw error;
    }
    return client;
  }

  /** Post one statement; resolves with its rows or rejects with PostgreSQL's error. */
  query(sql: string, params: readonly unknown[]): Promise<PGliteQueryResult> {
    if (this.#closing !== undefined) return Promise.reject(this.#failure ?? new Error('the embedded metadata store is closed'));
    return this.#request({ kind: 'query', id: 0, sql, params });
  }

  /**
   * Let every statement already posted finish, close PGlite (flushing a directory store to
   * disk) and release the worker. Later statements fail. Safe to call more than once.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    if (this.#failure !== undefined) {
      // The worker is gone already (or never opened): nothing to flush.
      this.#detach();
      await this.#worker.terminate();
      return;
    }
    let clean = false;
    try {
      await this.#request({ kind: 'close', id: 0 });
      clean = true;
    } finally {
      this.#failure ??= new Error('the embedded metadata store is closed');
      this.#detach();
      if (clean && this.#poolable) await giveBack(this.#worker);
      else await this.#worker.terminate();
    }
  }

  #detach(): void {
    this.#worker.off('message', this.#onMessage);
    this.#worker.off('error', this.#onError);
    this.#worker.off('exit', this.#onExit);
  }

  #request(request: PGliteWorkerRequest): Promise<PGliteQueryResult> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
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
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (reply.kind === 'result') pending.resolve({ rows: reply.rows, affectedRows: reply.affectedRows });
    else if (reply.kind === 'done') pending.resolve({ rows: [], affectedRows: 0 });
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
