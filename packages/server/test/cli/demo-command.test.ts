import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { DuckDBInstance } from '@duckdb/node-api';
import { buildProgram } from '../../src/cli/program.js';
import { TEST_DATABASE_URL, dropSchema } from '../helpers/stores.js';
import { mysqlUrlFor, uniqueDatabase, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';

describe('perch demo load --postgres', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perch-demo-cli-'));
  const schema = `perch_demo_cli_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the same rows into PostgreSQL as the DuckDB demo warehouse holds', async () => {
    const path = join(dir, 'demo.duckdb');
    const log: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void log.push(args.join(' '));
    try {
      await buildProgram().parseAsync(['node', 'perch', 'demo', 'load', '--postgres', TEST_DATABASE_URL, '--schema', schema, '--path', path, '--orders', '3000']);
    } finally {
      console.log = original;
    }
    expect(log.join('\n')).toContain(`PostgreSQL schema ${schema} (3000 orders)`);

    const duck = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await duck.connect();
    const expected = (await connection.runAndReadAll('select customer_id, count(*)::integer as n, round(sum(amount), 2)::double as revenue from orders group by 1 order by 1')).getRowObjectsJson();
    connection.closeSync();
    duck.closeSync();

    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const actual = await client.query(`select customer_id, count(*)::integer as n, round(sum(amount)::numeric, 2)::float8 as revenue from "${schema}".orders group by 1 order by 1`);
      expect(actual.rows).toEqual(expected);
      expect(actual.rows.length).toBeGreaterThanOrEqual(12);
    } finally {
      await client.end();
    }
  });
});

describe('perch demo load --mysql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perch-demo-cli-my-'));
  const database = uniqueDatabase('perch_demo_cli');
  afterAll(async () => {
    await withMySqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${database}\``));
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the same rows into MariaDB as the DuckDB demo warehouse holds', async () => {
    const path = join(dir, 'demo.duckdb');
    const log: string[] = [];
    const original = console.log;
    console.log = (...args: unknown[]) => void log.push(args.join(' '));
    try {
      await buildProgram().parseAsync(['node', 'perch', 'demo', 'load', '--mysql', mysqlUrlFor(database), '--path', path, '--orders', '3000']);
    } finally {
      console.log = original;
    }
    expect(log.join('\n')).toContain(`MySQL database ${database} (3000 orders)`);

    const duck = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
    const connection = await duck.connect();
    const expected = (await connection.runAndReadAll('select customer_id, count(*)::integer as n, round(sum(amount), 2)::double as revenue from orders group by 1 order by 1')).getRowObjectsJson();
    connection.closeSync();
    duck.closeSync();

    const actual = await withMySqlAdmin(async (admin) => (await admin.query(`select customer_id, count(*) as n, cast(round(cast(sum(amount) as decimal(20,4)), 2) as double) as revenue from \`${database}\`.orders group by 1 order by 1`))[0]);
    expect(actual).toEqual(expected);
    expect((actual as unknown[]).length).toBeGreaterThanOrEqual(12);
  });

  it('needs exactly one target', async () => {
    await expect(buildProgram().exitOverride().parseAsync(['node', 'perch', 'demo', 'load', '--path', join(dir, 'x.duckdb')])).rejects.toThrow(/exactly one of --postgres/);
  });
});
