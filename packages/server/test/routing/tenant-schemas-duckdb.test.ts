/**
 * Schema-per-tenant on DuckDB: the same behaviour as on PostgreSQL, on an embedded warehouse file
 * with one schema per tenant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';
import { describeRouting } from './routing-suite.js';

const prefix = uniquePrefix('k');
const t = tenantsOf(prefix);
const dir = mkdtempSync(join(tmpdir(), 'perch-routing-duckdb-'));
const path = join(dir, 'warehouse.duckdb');

beforeAll(async () => {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  for (const [name, rows] of [
    [t.alpha, ROWS.alpha],
    [t.bravo, ROWS.bravo],
    [t.template, ROWS.template],
    [t.other, ROWS.other],
  ] as const) {
    await connection.run(`CREATE SCHEMA ${name}`);
    for (const statement of tableStatements(name, rows)) await connection.run(statement);
  }
  connection.closeSync();
  instance.closeSync();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRouting({
  name: 'DuckDB',
  kind: 'schema',
  prefix,
  config: () => routedConfig(routedModel('schema', t.pattern, t.template), { type: 'duckdb', path, demo: false }),
});
