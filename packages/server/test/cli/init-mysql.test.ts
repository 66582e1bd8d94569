/**
 * `perch init --from mysql://…` end to end on MariaDB: a database of its own with foreign keys,
 * the starter model read from information_schema, `perch check` refusing the undecided
 * row-level security, Perch served with the environment init printed, and queries answered
 * through RLS with another tenant's canary rows nowhere (init-scenario.ts, shared with PostgreSQL).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kindOfMysqlColumn } from '../../src/init/introspect-mysql.js';
import { mysqlUrlFor, TEST_MYSQL_URL, uniqueDatabase, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';
import { CUSTOMER_ROWS, initCheckAndServe, orderRows, PRODUCT_ROWS } from './init-scenario.js';
import { perch } from './run-perch.js';

const database = uniqueDatabase('perch_init_my');
/** A second database, read with --schema while the URL names the first one. */
const kindsDatabase = `${database}_k`;
const url = mysqlUrlFor(database);
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'perch-init-mysql-'));
  await withMySqlAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await admin.query(`USE \`${database}\``);
    await admin.query('CREATE TABLE customers (id INT PRIMARY KEY, customer_id VARCHAR(64) NOT NULL, name VARCHAR(200) NOT NULL, segment TEXT) ENGINE = InnoDB');
    await admin.query('CREATE TABLE products (id INT PRIMARY KEY, name VARCHAR(200) NOT NULL, price DECIMAL(10, 2) NOT NULL) ENGINE = InnoDB');
    await admin.query(
      `CREATE TABLE orders (id INT PRIMARY KEY, customer_id VARCHAR(64) NOT NULL, customer_ref INT NOT NULL, product_id INT NOT NULL,
         quantity INT NOT NULL, amount DECIMAL(12, 2) NOT NULL, status VARCHAR(64) NOT NULL, ordered_at DATETIME NOT NULL, paid BOOLEAN NOT NULL, meta BLOB,
         CONSTRAINT orders_customer FOREIGN KEY (customer_ref) REFERENCES customers (id),
         CONSTRAINT orders_product FOREIGN KEY (product_id) REFERENCES products (id)) ENGINE = InnoDB`,
    );
    // Every MySQL-only type init maps, and the ones it leaves out, in a database of their own.
    await admin.query(`CREATE DATABASE \`${kindsDatabase}\``);
    await admin.query(
      `CREATE TABLE \`${kindsDatabase}\`.kinds (id BIGINT UNSIGNED PRIMARY KEY, small MEDIUMINT, label LONGTEXT, picked ENUM(\'a\', \'b\'), flags SET(\'x\', \'y\'), ratio DOUBLE, created TIMESTAMP NULL, took TIME, born YEAR, wide TINYINT(4), doc JSON) ENGINE = InnoDB`,
    );
    for (const row of CUSTOMER_ROWS) await admin.execute('INSERT INTO customers VALUES (?, ?, ?, ?)', [...row]);
    for (const row of PRODUCT_ROWS) await admin.execute('INSERT INTO products VALUES (?, ?, ?)', [...row]);
    for (const [id, customer, ref, product, quantity, amount, status, at, paid] of orderRows()) {
      await admin.execute("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, X'00')", [id, customer, ref, product, quantity, amount, status, at.toISOString().slice(0, 19).replace('T', ' '), paid]);
    }
  });
});

afterAll(async () => {
  await withMySqlAdmin(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.query(`DROP DATABASE IF EXISTS \`${kindsDatabase}\``);
  });
  await rm(directory, { recursive: true, force: true });
});

describe('perch init --from <mysql-url>', () => {
  it('writes a starter model from information_schema, refused until RLS is decided, then served under RLS', async () => {
    const out = join(directory, 'model');
    await initCheckAndServe({
      initArgs: ['--from', url, '--out', out],
      out,
      directory,
      ordersSource: 'orders',
      skippedComment: '# "meta" (blob) is not modelled: Perch has no dimension type for it',
    });
  }, 240_000);

  it('reads another database with --schema, qualifies its sources and maps MySQL types', async () => {
    const out = join(directory, 'kinds-model');
    const init = await perch(['init', '--from', url, '--schema', kindsDatabase, '--out', out]);
    expect(init.err).toBe('');
    expect(init.out).toContain('1 datasets (kinds)');
    expect(init.out).toContain(`Serve it with: PERCH_MODEL_DIR=${out} PERCH_WAREHOUSE_URL=${url}`);
    const yaml = await readFile(join(out, 'starter.yaml'), 'utf8');
    expect(yaml).toContain(`# Written by \`perch init\` from a MySQL/MariaDB database (database ${kindsDatabase}).`);
    expect(yaml).toContain(`source: { table: ${kindsDatabase}.kinds }`);
    expect(yaml).toContain('small: { column: small, type: number, title: Small }');
    expect(yaml).toContain('label: { column: label, type: string, title: Label }');
    expect(yaml).toContain('picked: { column: picked, type: string, title: Picked }');
    expect(yaml).toContain('flags: { column: flags, type: string, title: Flags }');
    expect(yaml).toContain('created: { column: created, type: time, title: Created }');
    // Only TINYINT(1) is a boolean, as the connector reads it; wider ones are numbers.
    expect(yaml).toContain('wide: { column: wide, type: number, title: Wide }');
    expect(yaml).toContain('ratio_sum: { sum: ratio, title: Total ratio }');
    expect(yaml).toContain('# "took" (time) is not modelled');
    // MariaDB's JSON is LONGTEXT under a json_valid check: still JSON, still left out.
    expect(yaml).toContain('# "doc" (json) is not modelled');
    expect(yaml).toMatch(/# "born" \(year(\(4\))?\) is not modelled/);
    expect(yaml).not.toMatch(/\bid_sum|born_sum|small_sum: \{ sum: id/);
  });

  it('maps MySQL column types: TINYINT(1) is boolean, TIME and YEAR are left out', () => {
    expect(kindOfMysqlColumn('tinyint', 'tinyint(1)')).toBe('boolean');
    expect(kindOfMysqlColumn('tinyint', 'tinyint(3) unsigned')).toBe('number');
    expect(kindOfMysqlColumn('mediumint', 'mediumint(9)')).toBe('number');
    expect(kindOfMysqlColumn('longtext', 'longtext')).toBe('string');
    expect(kindOfMysqlColumn('datetime', 'datetime(3)')).toBe('time');
    expect(kindOfMysqlColumn('time', 'time')).toBeUndefined();
    expect(kindOfMysqlColumn('year', 'year(4)')).toBeUndefined();
    expect(kindOfMysqlColumn('blob', 'blob')).toBeUndefined();
  });

  it('refuses a URL that names no database, and a database without tables, changing nothing', async () => {
    const bare = new URL(TEST_MYSQL_URL);
    bare.pathname = '/';
    const out = join(directory, 'refused-model');
    const noDatabase = await perch(['init', '--from', bare.toString(), '--out', out]);
    expect(noDatabase.exitCode).toBe(1);
    expect(noDatabase.err).toContain('names no database');
    const empty = await perch(['init', '--from', url, '--schema', `${database}_none`, '--out', out]);
    expect(empty.exitCode).toBe(1);
    expect(empty.err).toContain(`no tables in database ${database}_none`);
    await expect(readFile(join(out, 'starter.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('keeps the password out of what it prints', async () => {
    const withPassword = new URL(url);
    withPassword.username = 'root';
    withPassword.password = 'pw-never-printed';
    const result = await perch(['init', '--from', withPassword.toString(), '--schema', `${database}_none`, '--out', join(directory, 'pw-model')]);
    expect(result.exitCode).toBe(1);
    expect(result.err).toContain('perch init: could not read mysql://root:***@');
    expect(`${result.out}\n${result.err}`).not.toContain('pw-never-printed');
  });
});
