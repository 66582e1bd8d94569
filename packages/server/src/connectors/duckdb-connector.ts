import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { PerchError } from '@perch/protocol';
import type { GovernedSql } from '@perch/engine';
import {
  resolveLimits,
  type CellValue,
  type Connector,
  type ConnectorDefaults,
  type DuckDBConnectorConfig,
  type ExecuteOptions,
  type QueryColumn,
  type QueryRows,
} from './connector.js';
import { openHardenedDuckDB } from './duckdb-instance.js';
import { bindDuckDBParameters } from './duckdb-parameters.js';
import { duckdbColumnType, normaliseDuckDBValue } from './duckdb-values.js';
import { ExecutionGuard, interruptError, queryFailedError, unavailableError } from './execution-guard.js';
import { ResourcePool } from './resource-pool.js';

const DEFAULT_POOL_SIZE = 4;

/**
 * Opens a hardened DuckDB datasource: one instance, a small pool of connections so queries run
 * in parallel, prepared statements with typed bound parameters.
 *
 * @example
 * const warehouse = await createDuckDBConnector({ type: 'duckdb', path: 'demo.duckdb', readOnly: true });
 * const result = await warehouse.execute(governed, { timeoutMs: 5_000, maxRows: 1_000 });
 */
export async function createDuckDBConnector(config: DuckDBConnectorConfig, defaults?: ConnectorDefaults): Promise<Connector> {
  let instance: DuckDBInstance;
  try {
    instance = await openHardenedDuckDB(config.path, { readOnly: config.readOnly ?? false, threads: config.threads });
  } catch (error) {
    throw unavailableError('duckdb', error);
  }
  const size = Math.max(1, config.poolSize ?? DEFAULT_POOL_SIZE);
  const connections: DuckDBConnection[] = [];
  try {
    for (let i = 0; i < size; i++) connections.push(await instance.connect());
  } catch (error) {
    for (const connection of connections) connection.closeSync();
    instance.closeSync();
    throw unavailableError('duckdb', error);
  }
  return new DuckDBConnector(instance, connections, defaults);
}

class DuckDBConnector implements Connector {
  readonly dialect = 'duckdb' as const;
  readonly #instance: DuckDBInstance;
  readonly #pool: ResourcePool<DuckDBConnection>;
  readonly #all: readonly DuckDBConnection[];
  readonly #defaults: ConnectorDefaults | undefined;
  /** Executes in flight, so close() can stop them and wait before freeing native handles. */
  readonly #inFlight = new Set<{ guard: ExecutionGuard; done: Promise<unknown> }>();
  #closed = false;

  constructor(instance: DuckDBInstance, connections: DuckDBConnection[], defaults: ConnectorDefaults | undefined) {
    this.#instance = instance;
    this.#all = connections;
    this.#pool = new ResourcePool(connections);
    this.#defaults = defaults;
  }

  async execute(query: GovernedSql, options?: ExecuteOptions): Promise<QueryRows> {
    if (query.dialect !== 'duckdb') {
      throw new PerchError('internal_error', { detail: `a ${query.dialect} query was sent to a duckdb connector` });
    }
    const { timeoutMs, maxRows } = resolveLimits(options, this.#defaults);
    if (this.#closed) throw unavailableError('duckdb', 'connector closed');
    const guard = new ExecutionGuard(timeoutMs, options?.signal);
    const done = this.#run(query, guard, maxRows);
    const entry = { guard, done };
    this.#inFlight.add(entry);
    try {
      return await done;
    } finally {
      this.#inFlight.delete(entry);
    }
  }

  async #run(query: GovernedSql, guard: ExecutionGuard, maxRows: number): Promise<QueryRows> {
    let connection: DuckDBConnection | undefined;
    try {
      guard.throwIfInterrupted();
      connection = await this.#pool.acquire(guard.signal);
      const active = connection;
      // interrupt() stops whatever this connection is running right now; the hook is removed
      // (dispose) before the connection goes back to the pool, so it can never hit another query.
      guard.onInterrupt(() => active.interrupt());
      return await runStatement(active, query, maxRows);
    } catch (error) {
      if (this.#closed) throw unavailableError('duckdb', error);
      if (guard.reason) throw interruptError(guard.reason, error);
      if (error instanceof PerchError) throw error;
      throw queryFailedError('duckdb', error);
    } finally {
      guard.dispose();
      if (connection) this.#pool.release(connection);
    }
  }

  async ping(): Promise<void> {
    if (this.#closed) throw unavailableError('duckdb', 'connector closed');
    const connection = await this.#pool.acquire().catch((error: unknown) => {
      throw unavailableError('duckdb', error);
    });
    try {
      await connection.run('SELECT 1');
    } catch (error) {
      throw unavailableError('duckdb', error);
    } finally {
      this.#pool.release(connection);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#pool.close();
    // Stop running statements and let them settle: closing a connection under a running query
    // would free native state that query still uses.
    const running = [...this.#inFlight];
    for (const { guard } of running) guard.cancel();
    await Promise.allSettled(running.map(({ done }) => done));
    // Closing every connection and then the instance frees the file lock.
    for (const connection of this.#all) connection.closeSync();
    this.#instance.closeSync();
  }
}

async function runStatement(connection: DuckDBConnection, query: GovernedSql, maxRows: number): Promise<QueryRows> {
  const statement = await connection.prepare(query.sql);
  try {
    bindDuckDBParameters(statement, query.parameters);
    // Streaming lets us stop after maxRows + 1 rows instead of materialising a huge result.
    const result = await statement.stream();
    const names = result.columnNames();
    const columns: QueryColumn[] = result.columnTypes().map((type, i) => ({ name: names[i] ?? `column${i}`, type: duckdbColumnType(type.typeId) }));
    const rows: Array<Record<string, CellValue>> = [];
    let truncated = false;
    while (!truncated) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      for (const values of chunk.getRows()) {
        if (rows.length === maxRows) {
          truncated = true;
          break;
        }
        const row: Record<string, CellValue> = {};
        columns.forEach((column, i) => {
          row[column.name] = normaliseDuckDBValue(values[i] ?? null);
        });
        rows.push(row);
      }
    }
    return { columns, rows, truncated };
  } finally {
    statement.destroySync();
  }
}
