import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { toPerchError } from '../http/errors.js';
import { isStoreConnectionError } from '../replication/store-errors.js';
import { pingStore } from './database.js';
import { PGliteWorkerClient } from './pglite-worker-client.js';
import { PGliteWorkerDialect, SessionLock } from './pglite-worker-dialect.js';

interface Db {
  items: { id: number; label: string };
  counter: { id: number; n: number };
}

const TYPED_SELECT = `select
  '2024-05-06 07:08:09.123+02'::timestamptz as ts,
  '2024-05-06 07:08:09'::timestamp as ts_plain,
  '2024-05-06'::date as day,
  42::int8 as small_int8,
  9007199254740993::int8 as big_int8,
  7::int4 as int4,
  1.5::numeric as num,
  2.25::float8 as float8,
  '{"a":[1,"x",null],"b":{"c":true}}'::jsonb as doc,
  '\\x00ff10'::bytea as bytes,
  array[1,2,3]::int4[] as ints,
  array['a','b']::text[] as texts,
  true as flag,
  null::text as nothing,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as id`;

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('the embedded store in a worker thread', () => {
  let client: PGliteWorkerClient;
  let db: Kysely<Db>;
  let inThread: PGlite;

  beforeAll(async () => {
    client = await PGliteWorkerClient.open('memory://');
    db = new Kysely<Db>({ dialect: new PGliteWorkerDialect(client) });
    inThread = new PGlite();
    await inThread.waitReady;
    for (const statement of ['create table items (id int primary key, label text not null)', 'create table counter (id int primary key, n int not null)']) {
      await sql.raw(statement).execute(db);
      await inThread.query(statement);
    }
  });

  afterAll(async () => {
    await db.destroy();
    await inThread.close();
  });

  it('returns the same values, with the same types, as PGlite in this thread', async () => {
    const { rows } = await sql.raw<Record<string, unknown>>(TYPED_SELECT).execute(db);
    const expected = (await inThread.query<Record<string, unknown>>(TYPED_SELECT)).rows;
    expect(rows).toEqual(expected);
    const row = rows[0]!;
    const reference = expected[0]!;
    for (const [column, value] of Object.entries(reference)) {
      // toEqual is lenient about some type differences; the constructors must match exactly.
      expect(Object.prototype.toString.call(row[column]), column).toBe(Object.prototype.toString.call(value));
    }
    expect(row.ts).toBeInstanceOf(Date);
    expect(typeof row.big_int8).toBe('bigint');
    expect(typeof row.small_int8).toBe('number');
    expect(row.bytes).toBeInstanceOf(Uint8Array);
    expect(row.doc).toEqual({ a: [1, 'x', null], b: { c: true } });
  });

  it('sends parameters of every kind across and back unchanged', async () => {
    const when = new Date('2023-01-02T03:04:05.678Z');
    const bytes = Buffer.from([1, 2, 250]);
    const query = sql<Record<string, unknown>>`select ${when}::timestamptz as ts, ${bytes}::bytea as b, ${JSON.stringify({ k: [1, 2] })}::jsonb as j, ${'x'}::text as t, ${12}::int4 as i`;
    const { rows } = await query.execute(db);
    expect(rows[0]).toEqual({ ts: when, b: new Uint8Array([1, 2, 250]), j: { k: [1, 2] }, t: 'x', i: 12 });
  });

  it('raises PostgreSQL errors with the same message and fields as PGlite in this thread', async () => {
    await db.insertInto('items').values({ id: 1, label: 'one' }).execute();
    await inThread.query(`insert into items values (1, 'one')`);
    const error = await db.insertInto('items').values({ id: 1, label: 'again' }).execute().catch((e: unknown) => e);
    const reference = (await inThread.query(`insert into items values (1, 'again')`).catch((e: unknown) => e)) as Record<string, unknown>;
    expect(error).toBeInstanceOf(Error);
    const fields = error as Record<string, unknown>;
    expect(fields.code).toBe('23505');
    for (const field of ['message', 'name', 'code', 'severity', 'detail', 'constraint', 'table', 'schema', 'routine']) expect(fields[field], field).toBe(reference[field]);
    // The statement that failed travels with the error, as it does in-thread.
    expect(fields.query).toContain('insert into "items"');
    await db.deleteFrom('items').execute();
  });

  it('reports affected rows for inserts, updates and deletes', async () => {
    const inserted = await db.insertInto('items').values([{ id: 10, label: 'a' }, { id: 11, label: 'b' }]).executeTakeFirst();
    expect(inserted.numInsertedOrUpdatedRows).toBe(2n);
    const updated = await db.updateTable('items').set({ label: 'c' }).where('id', '>=', 10).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
    const none = await db.updateTable('items').set({ label: 'd' }).where('id', '=', -1).executeTakeFirst();
    expect(none.numUpdatedRows).toBe(0n);
    const deleted = await db.deleteFrom('items').where('id', '=', 10).executeTakeFirst();
    expect(deleted.numDeletedRows).toBe(1n);
    await db.deleteFrom('items').execute();
  });

  it('keeps other statements out of a transaction until it ends', async () => {
    const inside = deferred();
    const finish = deferred();
    const transaction = db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('items').values({ id: 20, label: 'in transaction' }).execute();
        inside.resolve();
        await finish.promise;
        throw new Error('roll it back');
      })
      .catch((e: unknown) => e);
    await inside.promise;
    // Issued while the transaction is open: it must neither run inside it nor see its row.
    let outsideDone = false;
    const outside = db
      .insertInto('items')
      .values({ id: 21, label: 'outside' })
      .execute()
      .then(() => (outsideDone = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideDone).toBe(false);
    finish.resolve();
    expect(await transaction).toMatchObject({ message: 'roll it back' });
    await outside;
    // Rolled back with the transaction had it joined it; it ran after the rollback instead.
    const ids = (await db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual([21]);
    await db.deleteFrom('items').execute();
  });

  it('runs concurrent transactions one after the other', async () => {
    await db.insertInto('counter').values({ id: 1, n: 0 }).execute();
    const increment = () =>
      db.transaction().execute(async (trx) => {
        const { n } = await trx.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
        await new Promise((resolve) => setTimeout(resolve, 5));
        await trx.updateTable('counter').set({ n: n + 1 }).where('id', '=', 1).execute();
      });
    await Promise.all(Array.from({ length: 8 }, increment));
    const { n } = await db.selectFrom('counter').select('n').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(n).toBe(8);
  });

  it('supports savepoints inside a transaction', async () => {
    const trx = await db.startTransaction().execute();
    await trx.insertInto('items').values({ id: 30, label: 'kept' }).execute();
    const savepoint = await trx.savepoint('before "second"').execute();
    await savepoint.insertInto('items').values({ id: 31, label: 'undone' }).execute();
    const back = await savepoint.rollbackToSavepoint('before "second"').execute();
    await back.commit().execute();
    const ids = (await db.selectFrom('items').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual([30]);
    await db.deleteFrom('items').execute();
  });

  it('keeps pipelined statements in the order they were issued', async () => {
    const values = Array.from({ length: 50 }, (_, i) => i);
    await Promise.all(values.map((i) => db.insertInto('items').values({ id: 100 + i, label: String(i) }).execute()));
    const results = await Promise.all(values.map((i) => db.selectFrom('items').select(sql<number>`count(*)::int`.as('n')).where('id', '<=', 100 + i).executeTakeFirstOrThrow()));
    expect(results.map((r) => r.n)).toEqual(values.map((i) => i + 1));
    await db.deleteFrom('items').execute();
  });
});

describe('closing a worker-backed store', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes statements already issued, fails later ones, and keeps the data on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perch-worker-close-'));
    dirs.push(dir);
    const client = await PGliteWorkerClient.open(dir);
    const db = new Kysely<Db>({ dialect: new PGliteWorkerDialect(client) });
    await sql`create table items (id int primary key, label text not null)`.execute(db);
    const inserts = Array.from({ length: 20 }, (_, i) => db.insertInto('items').values({ id: i, label: `row ${i}` }).execute());
    // Let them reach the store (Kysely itself refuses statements that arrive after destroy()).
    await new Promise(setImmediate);
    await db.destroy();
    await Promise.all(inserts);
    await expect(client.query('select 1', [])).rejects.toThrow(/closed/);

    const reopened = await PGliteWorkerClient.open(dir);
    try {
      const { rows } = await reopened.query('select count(*)::int as n from items', []);
      expect(rows).toEqual([{ n: 20 }]);
    } finally {
      await reopened.close();
    }
  });

  it('waits for an open transaction before closing', async () => {
    const client = await PGliteWorkerClient.open('memory://');
    const db = new Kysely<Db>({ dialect: new PGliteWorkerDialect(client) });
    await sql`create table items (id int primary key, label text not null)`.execute(db);
    const inside = deferred();
    let committedRows = -1;
    const transaction = db.transaction().execute(async (trx) => {
      inside.resolve();
      await new Promise((resolve) => setTimeout(resolve, 30));
      await trx.insertInto('items').values({ id: 1, label: 'late' }).execute();
      committedRows = (await trx.selectFrom('items').selectAll().execute()).length;
    });
    await inside.promise;
    await db.destroy();
    await transaction;
    expect(committedRows).toBe(1);
  });

  it('rejects a directory it cannot open with an Error instead of hanging', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perch-worker-bad-'));
    dirs.push(dir);
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const error = await PGliteWorkerClient.open(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toBe('');
  });
});

describe('a worker that dies', () => {
  const dyingEntry = new URL('./pglite-worker-dying.fixture.mjs', import.meta.url);

  it('fails pending and later statements with a store-unavailable error and does not hang', async () => {
    const client = await PGliteWorkerClient.open('memory://', { workerEntry: dyingEntry });
    const db = new Kysely<Db>({ dialect: new PGliteWorkerDialect(client) });
    const error = await sql`select 1`.execute(db).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/worker exited \(code 3\)/);
    expect((error as { code?: string }).code).toBe('08006');
    expect(isStoreConnectionError(error)).toBe(true);
    expect(toPerchError(error).code).toBe('store_unavailable');

    const store = { kind: 'embedded' as const, db: db as unknown as Parameters<typeof pingStore>[0]['db'], schema: 'public', pool: undefined, close: () => db.destroy() };
    const ping = await pingStore(store).catch((e: unknown) => e);
    expect(ping).toBeInstanceOf(PerchError);
    expect((ping as PerchError).code).toBe('store_unavailable');
    await store.close();
  });
});

describe('the store worker and process exit', () => {
  it('keeps the process alive for a pending statement and lets it exit when idle', () => {
    const script = fileURLToPath(new URL('./pglite-worker-exit.fixture.ts', import.meta.url));
    expect(existsSync(script)).toBe(true);
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error).toBeUndefined();
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('42\n');
    expect(child.status).toBe(0);
  });
});

describe('SessionLock', () => {
  it('hands the lock on in request order, one holder at a time', async () => {
    const lock = new SessionLock();
    expect(lock.free).toBe(true);
    const order: number[] = [];
    let holders = 0;
    await Promise.all(
      [1, 2, 3, 4].map(async (n) => {
        const release = await lock.acquire();
        holders += 1;
        expect(holders).toBe(1);
        order.push(n);
        await new Promise((resolve) => setTimeout(resolve, 5 - n));
        holders -= 1;
        release();
        release(); // a second release must not free the lock for someone else's turn
      }),
    );
    expect(order).toEqual([1, 2, 3, 4]);
    expect(lock.free).toBe(true);
  });
});
