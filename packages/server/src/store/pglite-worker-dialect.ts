import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type { PGliteWorkerClient } from './pglite-worker-client.js';

/**
 * Kysely over a PGlite instance that lives in a worker thread (`PGliteWorkerClient`).
 *
 * PGlite has one session. Plain statements are posted as soon as they arrive (the worker runs
 * them in order, so several can be in flight and the worker never waits on the main thread). A
 * transaction holds a FIFO lock from BEGIN until COMMIT or ROLLBACK has finished: while it holds
 * it, only its own statements are posted, and every other statement waits for it, so nothing
 * runs inside another caller's transaction.
 *
 * @example
 * ```ts
 * const client = await PGliteWorkerClient.open('memory://');
 * const db = new Kysely<Database>({ dialect: new PGliteWorkerDialect(client) });
 * ```
 */
export class PGliteWorkerDialect implements Dialect {
  readonly #client: PGliteWorkerClient;

  constructor(client: PGliteWorkerClient) {
    this.#client = client;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteWorkerDriver(this.#client);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
}

/** A FIFO mutex: `acquire()` resolves in call order, each with its own `release`. */
export class SessionLock {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  /** True when a caller may post right now without overtaking anyone. */
  get free(): boolean {
    return !this.#held && this.#waiters.length === 0;
  }

  async acquire(): Promise<() => void> {
    if (this.free) this.#held = true;
    else await new Promise<void>((resolve) => this.#waiters.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiters.shift();
      // Hand the lock straight to the next waiter, so nobody can slip in between.
      if (next) next();
      else this.#held = false;
    };
  }
}

class PGliteWorkerDriver implements Driver {
  readonly #client: PGliteWorkerClient;
  readonly #lock = new SessionLock();
  /** Connections handed out and not yet released (statements and transactions in flight). */
  #active = 0;
  #drained: (() => void) | undefined;

  constructor(client: PGliteWorkerClient) {
    this.#client = client;
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#active += 1;
    return new PGliteWorkerConnection(this.#client, this.#lock);
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await (connection as PGliteWorkerConnection).begin(settings);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteWorkerConnection).end('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await (connection as PGliteWorkerConnection).end('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdentifier(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdentifier(name)}`));
  }

  async releaseConnection(): Promise<void> {
    this.#active -= 1;
    if (this.#active === 0) this.#drained?.();
  }

  /**
   * Let every connection already handed out finish (Kysely hands out no more once it is being
   * destroyed), then close the store, which runs every statement already posted first.
   */
  async destroy(): Promise<void> {
    if (this.#active > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    const release = await this.#lock.acquire();
    try {
      await this.#client.close();
    } finally {
      release();
    }
  }
}

class PGliteWorkerConnection implements DatabaseConnection {
  readonly #client: PGliteWorkerClient;
  readonly #lock: SessionLock;
  /** Set while this connection runs a transaction. */
  #release: (() => void) | undefined;

  constructor(client: PGliteWorkerClient, lock: SessionLock) {
    this.#client = client;
    this.#lock = lock;
  }

  async begin(settings: TransactionSettings): Promise<void> {
    this.#release = await this.#lock.acquire();
    let statement = 'begin';
    if (settings.isolationLevel || settings.accessMode) {
      statement = 'start transaction';
      if (settings.isolationLevel) statement += ` isolation level ${settings.isolationLevel}`;
      if (settings.accessMode) statement += ` ${settings.accessMode}`;
    }
    try {
      await this.#client.query(statement, []);
    } catch (error) {
      this.#endTransaction();
      throw error;
    }
  }

  async end(statement: 'commit' | 'rollback'): Promise<void> {
    try {
      await this.#client.query(statement, []);
    } finally {
      this.#endTransaction();
    }
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.#post(compiledQuery);
    // numAffectedRows only when PGlite reports affected rows, as the in-thread dialect did.
    return result.affectedRows ? { numAffectedRows: BigInt(result.affectedRows), rows: result.rows as R[] } : { rows: result.rows as R[] };
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    if (!Number.isInteger(chunkSize) || chunkSize <= 0) throw new Error('chunkSize must be a positive integer');
    // PGlite has no cursors over this interface: the rows arrive at once and are handed out in chunks.
    const { rows } = await this.#post(compiledQuery);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) as R[] };
  }

  #post(compiledQuery: CompiledQuery): ReturnType<PGliteWorkerClient['query']> {
    // Inside this connection's transaction, or with nobody holding or waiting for the session:
    // post now. Otherwise queue behind the transaction; the lock is let go as soon as the
    // statement is posted, since the worker keeps posting order.
    if (this.#release !== undefined || this.#lock.free) return this.#client.query(compiledQuery.sql, compiledQuery.parameters);
    return this.#lock.acquire().then((release) => {
      try {
        return this.#client.query(compiledQuery.sql, compiledQuery.parameters);
      } finally {
        release();
      }
    });
  }

  #endTransaction(): void {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
