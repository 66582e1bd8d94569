import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { SchemaScopedPostgresDialect } from './schema-scoped-dialect.js';

const url = process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

describe('SchemaScopedPostgresDialect', () => {
  it("lists only its own schema's tables, so another schema's drop cannot disturb it", async () => {
    const mine = `perch_scope_${randomBytes(4).toString('hex')}`;
    const other = `perch_scope_${randomBytes(4).toString('hex')}`;
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const db = new Kysely<unknown>({ dialect: new SchemaScopedPostgresDialect(pool, mine) });
    try {
      await sql.raw(`create schema ${mine}; create table ${mine}.kept (id int); create view ${mine}.shown as select 1 as x; create schema ${other}; create table ${other}.foreign_table (id int)`).execute(db);
      const tables = await db.introspection.getTables();
      expect(tables.map((t) => [t.name, t.isView, t.schema]).sort()).toEqual([
        ['kept', false, mine],
        ['shown', true, mine],
      ]);
      expect((await db.introspection.getSchemas()).map((s) => s.name)).toEqual([mine]);
    } finally {
      await sql.raw(`drop schema if exists ${mine} cascade; drop schema if exists ${other} cascade`).execute(db);
      await db.destroy();
    }
  });
});
