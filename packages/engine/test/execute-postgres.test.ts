import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { executionSuite, SETUP_SQL, type Row } from './execution-suite.js';

/**
 * Binding notes for the PostgreSQL connector: `client.query({ text: sql, values: parameters })`.
 * Timestamps arrive as UTC text inside `CAST($n AS TIMESTAMP)`; read `timestamp` columns (oid 1114)
 * as text so the process time zone never shifts them.
 */
const URL = process.env['PERCH_TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `perch_engine_exec_${process.pid}`;
const types = { getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === 1114 ? (v: string) => v : pg.types.getTypeParser(oid, format as 'text')) };

let client: pg.Client | undefined;
let unavailable: unknown;

beforeAll(async () => {
  const candidate = new pg.Client({ connectionString: URL, types: types as never });
  try {
    await candidate.connect();
  } catch (error) {
    unavailable = error;
    return;
  }
  client = candidate;
  await client.query(`CREATE SCHEMA ${SCHEMA}`);
  await client.query(`SET search_path TO ${SCHEMA}`);
  for (const sql of SETUP_SQL) await client.query(sql);
});

afterAll(async () => {
  if (!client) return;
  await client.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await client.end();
});

describe('compiled SQL executes on PostgreSQL', () => {
  it('reaches PostgreSQL (required in CI)', () => {
    if (process.env['CI'] === 'true') expect(unavailable).toBeUndefined();
  });

  executionSuite('postgres', () => async (query) => {
    if (!client) {
      if (process.env['CI'] === 'true') throw new Error(`PostgreSQL unreachable: ${String(unavailable)}`);
      throw new Error(`PostgreSQL unreachable at ${URL}; set PERCH_TEST_DATABASE_URL`);
    }
    const result = await client.query({ text: query.sql, values: [...query.parameters] });
    return result.rows as Row[];
  });
});
