/**
 * Schema-per-tenant on PostgreSQL: `orders` lives in one schema per tenant, and the token's
 * `tenant` attribute picks the schema (docs/model.md, "Schema-per-tenant and database-per-tenant").
 */
import { afterAll, beforeAll } from 'vitest';
import { TEST_DATABASE_URL, withAdminClient } from '../connectors/pg-test-helpers.js';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';
import { describeRouting } from './routing-suite.js';

const prefix = uniquePrefix('s');
const t = tenantsOf(prefix);
const schemas = [t.alpha, t.bravo, t.template, t.other, `${prefix}_t_fresh`];

beforeAll(async () => {
  await withAdminClient(async (client) => {
    for (const [name, rows] of [
      [t.alpha, ROWS.alpha],
      [t.bravo, ROWS.bravo],
      [t.template, ROWS.template],
      [t.other, ROWS.other],
    ] as const) {
      await client.query(`CREATE SCHEMA ${name}`);
      for (const statement of tableStatements(name, rows)) await client.query(statement);
    }
  });
});

afterAll(async () => {
  await withAdminClient(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });
});

describeRouting({
  name: 'PostgreSQL',
  kind: 'schema',
  prefix,
  config: () => routedConfig(routedModel('schema', t.pattern, t.template), { type: 'postgres', url: TEST_DATABASE_URL }),
  createTenant: (name, label) =>
    withAdminClient(async (client) => {
      await client.query(`CREATE SCHEMA ${name}`);
      for (const statement of tableStatements(name, [[label, 'EU', 1]])) await client.query(statement);
    }),
});
