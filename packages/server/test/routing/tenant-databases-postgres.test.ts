/**
 * Database-per-tenant on PostgreSQL: each tenant has its own database, the warehouse url is a
 * template (`postgres://…/{database}`), and tenant pools live in an LRU capped at one here, so
 * interleaved tenants evict and reopen pools all the time.
 */
import { afterAll, beforeAll } from 'vitest';
import pg from 'pg';
import { TEST_DATABASE_URL, withAdminClient } from '../connectors/pg-test-helpers.js';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';
import { describeRouting } from './routing-suite.js';

const prefix = uniquePrefix('d');
const t = tenantsOf(prefix);
const databases = [t.alpha, t.bravo, t.template, t.other, `${prefix}_t_fresh`];
const defaultDatabase = new URL(TEST_DATABASE_URL).pathname.slice(1);
/** TEST_DATABASE_URL with `{database}` where its database name was. */
const template = TEST_DATABASE_URL.replace(/\/([^/?]+)(\?|$)/, '/{database}$2');

async function createTenantDatabase(name: string, rows: ReadonlyArray<readonly [string, string, number]>): Promise<void> {
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  const client = new pg.Client({ connectionString: template.replace('{database}', name) });
  await client.connect();
  try {
    for (const statement of tableStatements('public', rows)) await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await createTenantDatabase(t.alpha, ROWS.alpha);
  await createTenantDatabase(t.bravo, ROWS.bravo);
  await createTenantDatabase(t.template, ROWS.template);
  await createTenantDatabase(t.other, ROWS.other);
}, 60_000);

afterAll(async () => {
  await withAdminClient(async (client) => {
    for (const database of databases) await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });
});

describeRouting({
  name: 'PostgreSQL',
  kind: 'database',
  prefix,
  config: () => routedConfig(routedModel('database', t.pattern, t.template), { type: 'postgres', url: template, database: defaultDatabase, tenantPools: { max: 1, idleMs: 5_000, size: 2 } }),
  createTenant: (name, label) => createTenantDatabase(name, [[label, 'EU', 1]]),
  openTenantConnections: () =>
    withAdminClient(async (client) => {
      const { rows } = await client.query<{ datname: string }>(`SELECT DISTINCT datname FROM pg_stat_activity WHERE application_name = 'perch' AND datname LIKE $1`, [`${prefix}%`]);
      return rows.map((row) => row.datname);
    }),
});
