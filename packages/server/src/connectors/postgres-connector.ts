import pg from 'pg';
import { PerchError } from '@perch/protocol';
import type { GovernedSql, SqlParameter } from '@perch/engine';
import {
  resolveLimits,
  type CellValue,
  type Connector,
  type ConnectorDefaults,
  type ExecuteOptions,
  type PostgresConnectorConfig,
  type QueryRows,
} from './connector.js';
import { ExecutionGuard, interruptError, unavailableError } from './execution-guard.js';
import { classifyPostgresError, isTransportFailure } from './postgres-errors.js';
import { perchPostgresTypes, postgresColumnType } from './postgres-types.js';
import { settleWithin } from './settle-within.js';

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 3_000;
const CURSOR = 'perch_rows';
/** After an interrupt, how long to wait for the server to confirm before abandoning the connection. */
const INTERRUPT_GRACE_MS = 1_000;

/**
 * Opens a pooled PostgreSQL datasource. Every `execute` runs in its own
 * `BEGIN READ ONLY … COMMIT` with `SET LOCAL statement_timeout`, so no setting, cursor or
 * temporary state outlives the request that created it.
 *
 * @example
 * const warehouse = await createPostgresConnector({ type: 'postgres', url: process.env.WAREHOUSE_URL! });
 * await warehouse.ping();
 */
export async function createPostgresConnector(config: PostgresConnectorConfig, defaults?: ConnectorDefaults): Promise<Connector> {
  const clientConfig: pg.ClientConfig = {
    connectionString: config.url,
    connectionTimeoutMillis: config.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    types: perchPostgresTypes,
    application_name: 'perch',
    keepAlive: true,
    // Pinned at connection start (identical for every pooled connection, so nothing leaks):
    // text formats the type parsers rely on, and read-only as a second lock behind BEGIN READ ONLY.
    options: '-c DateStyle=ISO -c TimeZone=UTC -c IntervalStyle=iso_8601 -c default_transaction_read_only=on',
  };
  const pool = new pg.Pool({ ...clientConfig, max: config.poolSize ?? DEFAULT_POOL_SIZE, idleTimeoutMillis: 30_000 });
  // An idle client whose server went away emits 'error'; the pool has already discarded it.
  // Without a listener Node would crash the process; with one, the next connect() simply dials again.
  pool.on('error', () => {});
  return new PostgresConnector(pool, clientConfig, defaults);
}

class PostgresConnector implements Connector {
  readonly dialect = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #clientConfig: pg.ClientConfig;
  readonly #defaults: ConnectorDefaults | undefined;
  #closed = false;

  constructor(pool: pg.Pool, clientConfig: pg.ClientConfig, defaults: ConnectorDefaults | undefined) {
    this.#pool = pool;
    this.#clientConfig = clientConfig;
    this.#defaults = defaults;
  }

  async execute(query: GovernedSql, options?: ExecuteOptions): Promise<QueryRows> {
    if (query.dialect !== 'postgres') {
      throw new PerchError('internal_error', { detail: `a ${query.dialect} query was sent to a postgres connector` });
    }
    const { timeoutMs, maxRows } = resolveLimits(options, this.#defaults);
    if (this.#closed) throw unavailableError('postgres', 'connector closed');
    const guard = new ExecutionGuard(timeoutMs, options?.signal);
    let checkout: Checkout | undefined;
    try {
      guard.throwIfInterrupted();
      checkout = await this.#checkout(guard.signal);
      const { client } = checkout;
      const pid = backendPid(client);
      // A cancel request hits whatever the backend runs when it lands, so a client that was
      // interrupted is destroyed (never reused) in `finally` below.
      guard.onInterrupt(() => void this.#cancelBackend(pid));
      return await settleWithin(runInReadOnlyTransaction(client, query, timeoutMs, maxRows), guard.signal, INTERRUPT_GRACE_MS);
    } catch (error) {
      if (checkout) checkout.destroy ||= guard.reason !== undefined || isTransportFailure(error);
      if (guard.reason) throw interruptError(guard.reason, error);
      if (error instanceof PerchError) throw error;
      throw classifyPostgresError(error);
    } finally {
      guard.dispose();
      checkout?.release();
    }
  }

  async ping(): Promise<void> {
    if (this.#closed) throw unavailableError('postgres', 'connector closed');
    try {
      await this.#pool.query('SELECT 1');
    } catch (error) {
      throw unavailableError('postgres', error);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  /** Checks a client out of the pool; gives up (and returns the client later) if the caller stops waiting. */
  async #checkout(signal: AbortSignal): Promise<Checkout> {
    const connecting = this.#pool.connect();
    const client = await new Promise<pg.PoolClient>((resolve, reject) => {
      const onAbort = (): void => {
        reject(signal.reason);
        connecting.then((late) => late.release(), () => {});
      };
      signal.addEventListener('abort', onAbort, { once: true });
      connecting.then(
        (ready) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) return;
          resolve(ready);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
    return new Checkout(client);
  }

  /** Asks the server to stop `pid`'s statement, over a separate connection (the pool may be full). */
  async #cancelBackend(pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    const canceller = new pg.Client(this.#clientConfig);
    canceller.on('error', () => {});
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // Best effort: statement_timeout still bounds the statement, and its client is destroyed.
    } finally {
      await canceller.end().catch(() => {});
    }
  }
}

/** One checked-out client; `destroy` decides whether it goes back to the pool or is closed. */
class Checkout {
  destroy = false;
  readonly client: pg.PoolClient;
  // A connection error while checked out is emitted on the client; the running query sees it
  // too, so this listener only keeps it from becoming an uncaught exception.
  readonly #onError = (): void => {
    this.destroy = true;
  };

  constructor(client: pg.PoolClient) {
    this.client = client;
    client.on('error', this.#onError);
  }

  release(): void {
    this.client.off('error', this.#onError);
    this.client.release(this.destroy);
  }
}

async function runInReadOnlyTransaction(client: pg.PoolClient, query: GovernedSql, timeoutMs: number, maxRows: number): Promise<QueryRows> {
  // timeoutMs is a validated integer (resolveLimits), so writing it into SQL is safe.
  await client.query(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${timeoutMs}`);
  try {
    // A cursor lets us read maxRows + 1 rows and stop, without rewriting the governed SQL.
    await client.query({ text: `DECLARE ${CURSOR} NO SCROLL CURSOR FOR ${query.sql}`, values: query.parameters.map(toPostgresValue) });
    const result = await client.query(`FETCH FORWARD ${maxRows + 1} FROM ${CURSOR}`);
    await client.query('COMMIT');
    const columns = result.fields.map((field) => ({ name: field.name, type: postgresColumnType(field.dataTypeID) }));
    const rows = result.rows as Array<Record<string, CellValue>>;
    const truncated = rows.length > maxRows;
    return { columns, rows: truncated ? rows.slice(0, maxRows) : rows, truncated };
  } catch (error) {
    // Leave the connection idle and clean; if even ROLLBACK fails the caller destroys it.
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * pg's own serialisation is fine for most values, but it writes a Date in the process's local
 * time zone; an explicit ISO string means the same instant whatever TZ the server runs in.
 * Mixed string/number arrays become text arrays, matching the DuckDB connector.
 */
function toPostgresValue(value: SqlParameter): unknown {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new PerchError('invalid_filter_value', { message: 'Invalid date.' });
    return value.toISOString();
  }
  if (Array.isArray(value)) {
    const items = value as ReadonlyArray<string | number>;
    return items.every((item) => typeof item === 'number') ? [...items] : items.map(String);
  }
  return value;
}

function backendPid(client: pg.PoolClient): number | undefined {
  const pid = (client as unknown as { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : undefined;
}
