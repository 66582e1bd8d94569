import mysql from 'mysql2';
import type { FieldPacket, Pool, PoolConnection, PoolOptions, QueryError } from 'mysql2';
import { PerchError } from '@perch/protocol';
import type { GovernedSql } from '@perch/engine';
import { resolveLimits, type CellValue, type Connector, type ConnectorDefaults, type ExecuteOptions, type MySqlConnectorConfig, type QueryRows } from './connector.js';
import { ExecutionGuard, interruptError, unavailableError } from './execution-guard.js';
import { classifyMySqlError, isMySqlTransportFailure } from './mysql-errors.js';
import { toMySqlStatement, type MySqlStatement } from './mysql-parameters.js';
import { mysqlCell, mysqlColumnType } from './mysql-types.js';
import { settleWithin } from './settle-within.js';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
/** After an interrupt, how long to wait for the server to confirm before abandoning the connection. */
const INTERRUPT_GRACE_MS = 1_000;
/**
 * Pinned once per connection, identical for every pooled connection (so nothing leaks between
 * requests): UTC, so `DATETIME`/`TIMESTAMP` text and `CONVERT_TZ` mean UTC; a fixed sql_mode
 * without `NO_BACKSLASH_ESCAPES` (the compiler's `ESCAPE '\\'` relies on it) or `ANSI_QUOTES`; and
 * read-only as the default for every transaction, a second lock behind `START TRANSACTION READ ONLY`.
 */
const SESSION_SETUP = [
  "SET SESSION time_zone = '+00:00', SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
  'SET SESSION TRANSACTION READ ONLY',
];

/** Which server answers: they spell the per-statement time limit differently. */
type Flavour = 'mariadb' | 'mysql';

/**
 * Opens a pooled MySQL or MariaDB datasource. Every `execute` is one server-side prepared
 * statement in its own `START TRANSACTION READ ONLY … COMMIT`, under a per-statement time limit
 * (MariaDB: `SET STATEMENT max_statement_time=… FOR`; MySQL: `max_execution_time`, set and reset
 * around the statement). The server flavour is read once, from the first connection.
 *
 * @example
 * const warehouse = await createMySqlConnector({ type: 'mysql', url: 'mysql://perch_reader@db:3306/app' });
 * await warehouse.ping();
 */
export async function createMySqlConnector(config: MySqlConnectorConfig, defaults?: ConnectorDefaults): Promise<Connector> {
  const options: PoolOptions = {
    uri: config.url,
    connectionLimit: config.poolSize ?? DEFAULT_POOL_SIZE,
    maxIdle: config.poolSize ?? DEFAULT_POOL_SIZE,
    idleTimeout: 30_000,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    enableKeepAlive: true,
    // One statement per call, always: a value can never smuggle a second statement in.
    multipleStatements: false,
    // No LOAD DATA LOCAL: the server can never ask Perch for a file.
    flags: ['-LOCAL_FILES'],
    charset: 'UTF8MB4_UNICODE_CI',
    dateStrings: true,
    jsonStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: false,
    // Prepared statements are per connection; the server's global cap is shared by every client.
    maxPreparedStatements: 256,
  };
  return new MySqlConnector(mysql.createPool(options), options, defaults);
}

class MySqlConnector implements Connector {
  readonly dialect = 'mysql' as const;
  readonly #pool: Pool;
  readonly #options: PoolOptions;
  readonly #defaults: ConnectorDefaults | undefined;
  /** Connections whose session constants are set; a new physical connection is set up once. */
  readonly #ready = new WeakSet<PoolConnection>();
  #flavour: Flavour | undefined;
  #closed = false;

  constructor(pool: Pool, options: PoolOptions, defaults: ConnectorDefaults | undefined) {
    this.#pool = pool;
    this.#options = options;
    this.#defaults = defaults;
    // An idle connection whose server went away emits 'error' through the pool; the pool drops it.
    pool.on('connection', (connection) => connection.on('error', () => {}));
  }

  async execute(query: GovernedSql, options?: ExecuteOptions): Promise<QueryRows> {
    if (query.dialect !== 'mysql') {
      throw new PerchError('internal_error', { detail: `a ${query.dialect} query was sent to a mysql connector` });
    }
    const { timeoutMs, maxRows } = resolveLimits(options, this.#defaults);
    if (this.#closed) throw unavailableError('mysql', 'connector closed');
    const statement = toMySqlStatement(query.sql, query.parameters);
    const guard = new ExecutionGuard(timeoutMs, options?.signal);
    let checkout: Checkout | undefined;
    try {
      guard.throwIfInterrupted();
      checkout = await this.#checkout(guard.signal);
      const { connection } = checkout;
      const flavour = await this.#prepareSession(connection);
      const threadId = connection.threadId;
      // KILL QUERY stops whatever the thread runs when it lands, so an interrupted connection is
      // destroyed (never reused) in `finally` below.
      guard.onInterrupt(() => void this.#killQuery(threadId));
      const result = await settleWithin(runInReadOnlyTransaction(connection, flavour, statement, timeoutMs, maxRows), guard.signal, INTERRUPT_GRACE_MS);
      // An interrupted function may still return (MySQL's SLEEP answers 1 when killed): the
      // caller asked to stop, so the answer is dropped and the connection destroyed.
      if (guard.reason) throw interruptError(guard.reason);
      return result;
    } catch (error) {
      if (checkout) checkout.destroy ||= guard.reason !== undefined || isMySqlTransportFailure(error);
      if (guard.reason) throw interruptError(guard.reason, error);
      if (error instanceof PerchError) throw error;
      throw classifyMySqlError(error);
    } finally {
      guard.dispose();
      checkout?.release();
    }
  }

  async ping(): Promise<void> {
    if (this.#closed) throw unavailableError('mysql', 'connector closed');
    try {
      await this.#pool.promise().query('SELECT 1');
    } catch (error) {
      throw unavailableError('mysql', error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.promise().end();
  }

  /** Checks a connection out of the pool; gives up (and returns the connection later) if the caller stops waiting. */
  async #checkout(signal: AbortSignal): Promise<Checkout> {
    const connection = await new Promise<PoolConnection>((resolve, reject) => {
      let settled = false;
      const onAbort = (): void => {
        settled = true;
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pool.getConnection((error, ready) => {
        signal.removeEventListener('abort', onAbort);
        if (settled) {
          ready?.release();
          return;
        }
        if (error) reject(error);
        else resolve(ready);
      });
    });
    return new Checkout(connection);
  }

  /** Pins the session constants on a new physical connection, and learns the server flavour once. */
  async #prepareSession(connection: PoolConnection): Promise<Flavour> {
    // The pool hands out the same PoolConnection object for the life of a physical connection.
    if (!this.#ready.has(connection)) {
      for (const statement of SESSION_SETUP) await run(connection, statement);
      this.#ready.add(connection);
    }
    if (!this.#flavour) {
      const version = await run(connection, 'SELECT VERSION() AS v');
      this.#flavour = /mariadb/i.test(String(version[0]?.[0] ?? '')) ? 'mariadb' : 'mysql';
    }
    return this.#flavour;
  }

  /** Asks the server to stop `threadId`'s statement, over a separate connection (the pool may be full). */
  async #killQuery(threadId: number | null): Promise<void> {
    // The id came from the server's handshake; it is still checked, since it is written into SQL.
    if (threadId === null || !Number.isSafeInteger(threadId) || threadId <= 0) return;
    const killer = mysql.createConnection({ ...this.#options, multipleStatements: false });
    killer.on('error', () => {});
    try {
      await killer.promise().query(`KILL QUERY ${threadId}`);
    } catch {
      // Best effort: the statement time limit still bounds the statement, and its connection is destroyed.
    } finally {
      killer.destroy();
    }
  }
}

/** One checked-out connection; `destroy` decides whether it goes back to the pool or is closed. */
class Checkout {
  destroy = false;
  readonly connection: PoolConnection;
  // A connection error while checked out is emitted on the connection; the running statement
  // sees it too, so this listener only keeps it from becoming an uncaught exception.
  readonly #onError = (): void => {
    this.destroy = true;
  };

  constructor(connection: PoolConnection) {
    this.connection = connection;
    connection.on('error', this.#onError);
  }

  release(): void {
    this.connection.off('error', this.#onError);
    if (this.destroy) this.connection.destroy();
    else this.connection.release();
  }
}

async function runInReadOnlyTransaction(connection: PoolConnection, flavour: Flavour, statement: MySqlStatement, timeoutMs: number, maxRows: number): Promise<QueryRows> {
  // timeoutMs is a validated positive integer (resolveLimits), so writing it into SQL is safe.
  // MySQL's limit is a session variable, reset below; MariaDB's applies to this statement only.
  if (flavour === 'mysql') await run(connection, `SET SESSION max_execution_time = ${timeoutMs}`);
  try {
    await run(connection, 'START TRANSACTION READ ONLY');
    try {
      const sql = flavour === 'mariadb' ? `SET STATEMENT max_statement_time=${(timeoutMs / 1000).toFixed(3)} FOR ${statement.sql}` : statement.sql;
      const result = await streamRows(connection, { sql, values: statement.values }, maxRows);
      await run(connection, 'COMMIT');
      return result;
    } catch (error) {
      // Leave the connection idle and clean; if even ROLLBACK fails the caller destroys it.
      await run(connection, 'ROLLBACK').catch(() => {});
      throw error;
    }
  } finally {
    if (flavour === 'mysql') await run(connection, 'SET SESSION max_execution_time = DEFAULT');
  }
}

/**
 * Executes the prepared statement and keeps at most `maxRows + 1` rows (the extra one only tells
 * that the result was truncated); later rows are read off the wire and dropped, never held.
 */
function streamRows(connection: PoolConnection, statement: MySqlStatement, maxRows: number): Promise<QueryRows> {
  return new Promise<QueryRows>((resolve, reject) => {
    let fields: FieldPacket[] = [];
    const rows: Array<Record<string, CellValue>> = [];
    let seen = 0;
    let failed: unknown;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      connection.off('error', onConnectionError);
      if (failed !== undefined) return reject(failed);
      const columns = fields.map((field) => ({ name: field.name, type: mysqlColumnType(field) }));
      resolve({ columns, rows, truncated: seen > maxRows });
    };
    // A command without a callback is not told when its connection drops; the connection is.
    const onConnectionError = (error: unknown): void => {
      failed ??= error;
      settle();
    };
    connection.on('error', onConnectionError);
    const command = connection.execute({ sql: statement.sql, values: statement.values, rowsAsArray: true });
    command.on('fields', (received: FieldPacket[] | undefined) => {
      if (received) fields = received;
    });
    command.on('result', (row: unknown) => {
      seen++;
      if (seen > maxRows || !Array.isArray(row)) return;
      rows.push(normaliseRow(fields, row));
    });
    command.on('error', (error: QueryError) => {
      failed ??= error;
    });
    command.on('end', settle);
  });
}

function normaliseRow(fields: readonly FieldPacket[], values: readonly unknown[]): Record<string, CellValue> {
  const row: Record<string, CellValue> = {};
  fields.forEach((field, i) => {
    // defineProperty, so a column named `__proto__` is an ordinary key like any other.
    Object.defineProperty(row, field.name, { value: mysqlCell(field, mysqlColumnType(field), values[i]), enumerable: true, writable: true, configurable: true });
  });
  return row;
}

/** A control statement over the text protocol (constants only, never a value). */
function run(connection: PoolConnection, sql: string): Promise<unknown[][]> {
  return new Promise((resolve, reject) => {
    connection.query({ sql, rowsAsArray: true }, (error, result) => {
      if (error) reject(error);
      else resolve(Array.isArray(result) ? (result as unknown[][]) : []);
    });
  });
}
