/**
 * A `schema` route on MariaDB (MySQL), where a schema is a database: the table is qualified as
 * `tenant`.`orders` and runs on the warehouse's own connection pool, no URL template needed.
 */
import { afterAll, beforeAll } from 'vitest';
import { TEST_MYSQL_URL, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';
import { describeRouting } from './routing-suite.js';

const prefix = uniquePrefix('n');
const t = tenantsOf(prefix);
const databases = [t.alpha, t.bravo, t.template, t.other, `${prefix}_t_fresh`];

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
  kind: 'schema',
  prefix,
  config: () => routedConfig(routedModel('schema', t.pattern, t.template), { type: 'mysql', url: TEST_MYSQL_URL }),
  createTenant: (name, label) => createTenantDatabase(name, [[label, 'EU', 1]]),
});
