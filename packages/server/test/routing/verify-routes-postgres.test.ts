/**
 * `perch verify-isolation` treats each routed schema as a tenant: the tenants come from the
 * catalog's schemas matching the pattern, and no answer for one schema may hold a value found only
 * in another. A tenant schema whose `orders` is a view over another tenant's table is caught.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyIsolation } from '../../src/verify/verify-isolation.js';
import { TEST_DATABASE_URL, withAdminClient } from '../connectors/pg-test-helpers.js';
import { routedConfig, routedModel, ROWS, tableStatements, tenantsOf, uniquePrefix } from './routing-fixture.js';

const prefix = uniquePrefix('v');
const t = tenantsOf(prefix);
const leaky = `${prefix}_t_leaky`;
const schemas = [t.alpha, t.bravo, t.template, t.other, leaky];

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

describe('perch verify-isolation on schema-routed datasets (PostgreSQL)', () => {
  const dirs: string[] = [];
  const config = () => {
    const made = routedConfig(routedModel('schema', t.pattern, t.template), { type: 'postgres', url: TEST_DATABASE_URL });
    dirs.push(made.cwd);
    return made;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('samples the schemas matching the pattern as tenants and finds no foreign value', async () => {
    const report = await verifyIsolation(config(), { tenants: 10, queries: 5 });
    expect(report.routedTenants).toEqual({ orders: [t.alpha, t.bravo] });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.queries).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it("flags a tenant schema whose answers hold another tenant's values", async () => {
    // A view that serves bravo's rows to Perch's own connections (application_name 'perch') and
    // the schema's own rows to everyone else: the raw read sees leaky's values, the governed
    // answers see bravo's, which the check must report as foreign.
    await withAdminClient(async (client) => {
      await client.query(`CREATE SCHEMA ${leaky}`);
      for (const statement of tableStatements(leaky, [['leaky-eu', 'EU', 5]])) await client.query(statement.replace(`${leaky}.orders`, `${leaky}.own`));
      await client.query(
        `CREATE VIEW ${leaky}.orders AS SELECT * FROM ${leaky}.own WHERE current_setting('application_name') <> 'perch' UNION ALL SELECT * FROM ${t.bravo}.orders WHERE current_setting('application_name') = 'perch'`,
      );
    });
    const report = await verifyIsolation(config(), { tenants: 10, queries: 5 });
    expect(report.routedTenants.orders).toEqual([t.alpha, t.bravo, leaky].sort());
    expect(report.ok).toBe(false);
    const leak = report.findings.filter((f) => f.code === 'foreign_value_seen');
    expect(leak.map((f) => f.tenant)).toEqual([leaky]);
    expect(leak[0]?.values).toEqual(expect.arrayContaining(['bravo-eu']));
    expect(report.findings.filter((f) => f.tenant === t.alpha)).toEqual([]);
  }, 60_000);
});
