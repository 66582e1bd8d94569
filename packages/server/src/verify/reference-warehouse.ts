import pg from 'pg';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { openHardenedDuckDB } from '../connectors/duckdb-instance.js';
import { normaliseCell, type ReferenceRow, type ReferenceValue } from './compare.js';

/**
 * A raw, read-only SQL runner for `perch verify-isolation`'s reference queries.
 *
 * It deliberately bypasses the engine and the connectors: the check compares what the governed
 * path answers with what hand-written SQL over the raw tables answers, so the reference must not
 * share their code. Values are still bound as `$n` parameters, which DuckDB and PostgreSQL both
 * accept. Rows come back positionally, with numbers, strings and booleans normalised alike.
 */
export interface ReferenceWarehouse {
  readonly dialect: 'duckdb' | 'postgres';
  rows(sql: string, parameters?: readonly ReferenceValue[]): Promise<ReferenceRow[]>;
  close(): Promise<void>;
}

/** Open the DuckDB file read-only, with the same external-access hardening as the connector. */
export async function openDuckDBReference(path: string): Promise<ReferenceWarehouse> {
  const instance: DuckDBInstance = await openHardenedDuckDB(path, { readOnly: true });
  const connection: DuckDBConnection = await instance.connect();
  return {
    dialect: 'duckdb',
    async rows(sql, parameters = []) {
      const reader = await connection.runAndReadAll(sql, parameters.length > 0 ? [...parameters] : undefined);
      return reader.getRowsJS().map((row) => row.map((cell) => normaliseCell(cell)));
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** Open a PostgreSQL connection in a read-only session. */
export async function openPostgresReference(url: string): Promise<ReferenceWarehouse> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
  return {
    dialect: 'postgres',
    async rows(sql, parameters = []) {
      const result = await client.query({ text: sql, values: [...parameters], rowMode: 'array' });
      return (result.rows as unknown[][]).map((row) => row.map((cell) => normaliseCell(cell)));
    },
    async close() {
      await client.end();
    },
  };
}
