/**
 * Database-per-tenant on MariaDB (MySQL): each tenant has its own database, the warehouse url is
 * a template (`mysql://…/{database}`), and tenant pools live in an LRU capped at one here.
 */
import { afterAll, beforeAll } from 'vitest';
import { TEST_MYSQL_URL, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';
import { describeRouting } from './routing-suite.js';

const prefix = uniquePrefix('m');
const t = tenantsOf(prefix);
const databases = [t.alpha, t.bravo, t.template, t.other, `${prefix}_t_fresh`];
const defaultDatabase = new URL(TEST_MYSQL_URL).pathname.slice(1);
const template = TEST_MYSQL_URL.replace(/\/([^/?]+)(\?|$)/, '/{database}$2');

async function createTenantDatabase(name: string, rows: ReadonlyArray<readonly [string, string, number]>): Promise<void> {
  await withMySqlAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE ${name}`);
    for (const statement of tableStatements(name, rows)) await admin.query(statement);
  });
}

beforeAll(async () => {
  await createTenantDatabase(t.alpha, ROWS.alpha);
  await createTenantDatabase(t.bravo, ROWS.bravo);
  await createTenantDatabase(t.template, ROWS.template);
  await createTenantDatabase(t.other, ROWS.other);
}, 60_000);

afterAll(async () => {
  await withMySqlAdmin(async (admin) => {
    for (const database of databases) await admin.query(`DROP DATABASE IF EXISTS ${database}`);
  });
});

describeRouting({
  name: 'MariaDB',
  kind: 'database',
  prefix,
  config: () => routedConfig(routedModel('database', t.pattern, t.template), { type: 'mysql', url: template, database: defaultDatabase, tenantPools: { max: 1, idleMs: 5_000, size: 2 } }),
  createTenant: (name, label) => createTenantDatabase(name, [[label, 'EU', 1]]),
  openTenantConnections: () =>
    withMySqlAdmin(async (admin) => {
      const [rows] = await admin.query(`SELECT DISTINCT DB AS db FROM information_schema.PROCESSLIST WHERE DB LIKE ?`, [`${prefix}%`]);
      return (rows as Array<{ db: string }>).map((row) => row.db);
    }),
});
