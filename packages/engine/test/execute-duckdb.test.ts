import { afterAll, beforeAll, describe } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { executionSuite, SETUP_SQL, type Row } from './execution-suite.js';

/**
 * Binding notes for the DuckDB connector: `connection.prepare(sql)` then
 * `prepared.bind([...parameters])` binds `$1…$n` positionally from plain JS values (string →
 * VARCHAR, number → DOUBLE, boolean → BOOLEAN). The engine never binds lists (IN lists are
 * expanded) and binds timestamps as UTC text wrapped in `CAST($n AS TIMESTAMP)`, so no special
 * DuckDB value classes are needed. `result.getRowObjectsJson()` returns BIGINT counts as strings and
 * timestamps as `YYYY-MM-DD HH:MM:SS` text (`getRowObjectsJS()` would give bigint and Date).
 */
let connection: DuckDBConnection;

beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:', { enable_external_access: 'false' });
  connection = await instance.connect();
  for (const sql of SETUP_SQL) await connection.run(sql.replace(/DOUBLE PRECISION/g, 'DOUBLE'));
});

afterAll(() => {
  connection?.closeSync();
});

describe('compiled SQL executes on DuckDB', () => {
  executionSuite('duckdb', () => async (query) => {
    const prepared = await connection.prepare(query.sql);
    prepared.bind([...query.parameters] as never);
    const result = await prepared.run();
    return (await result.getRowObjectsJson()) as Row[];
  });
});
