import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { EmbedUser } from '@perch/protocol';
import { parseModel } from './model/parse.js';
import { ModelValidationError } from './model/model-error.js';
import { compileDistinctValues, compileQuery } from './pipeline.js';
import { compileColumnProbe } from './column-probe.js';
import { explainAccess } from './explain.js';
import { compileRouteCatalog } from './route-catalog.js';
import { refusal } from '../test/fixture-model.js';

const MODEL = `
datasets:
  orders:
    source:
      table: orders
      schema: { attribute: tenantSchema, pattern: "^tenant_[a-z0-9_]{1,40}$", reference: tenant_template }
    dimensions:
      region: { column: region }
      customer_id: { column: customer_id }
    measures: { revenue: { sum: amount } }
    joins:
      plan: { dataset: plans, on: { plan_id: plan_id } }
      rate: { dataset: fx, on: { currency: currency } }
    rowLevelSecurity: none
  plans:
    source:
      table: plans
      schema: { attribute: tenantSchema, pattern: "^tenant_[a-z0-9_]{1,40}$", reference: tenant_template }
    dimensions: { name: { column: name }, plan_id: { column: plan_id } }
    rowLevelSecurity: none
  fx:
    source: { table: fx_rates }
    dimensions: { currency: { column: currency }, rate: { column: rate, type: number } }
    rowLevelSecurity: none
  invoices:
    source:
      table: invoices
      database: { attribute: tenantDb, pattern: "^perch_t_[a-z]{1,20}$", reference: perch_t_template }
    dimensions: { status: { column: status }, customer_id: { column: customer_id } }
    measures: { count: { count: "*" } }
    rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }
`;

const model = parseModel([{ file: 'routing.yaml', text: MODEL }]);
const OPTIONS = { maxLimit: 1000, now: new Date('2026-10-15T12:00:00Z') } as const;
const as = (attributes: EmbedUser['attributes']): EmbedUser => ({ distinctId: 'u', role: 'explorer', attributes });

function issuesOf(yaml: string): Array<{ file: string; path: string; message: string }> {
  try {
    parseModel([{ file: 'bad.yaml', text: yaml }]);
  } catch (error) {
    if (error instanceof ModelValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the model to be refused');
}

const routed = (route: string, extra = '') => `
datasets:
  t:
    source:
      table: things
      ${route}
    dimensions: { a: { column: a } }
    rowLevelSecurity: none
${extra}`;

describe('tenant routes in the model', () => {
  it('refuses an unanchored pattern with file and path', () => {
    for (const pattern of ['tenant_[a-z]+', '^tenant_[a-z]+', 'tenant_[a-z]+$', '^tenant_[a-z]+\\\\$']) {
      const issues = issuesOf(routed(`schema: { attribute: s, pattern: '${pattern}', reference: tenant_t }`));
      expect(issues, pattern).toEqual([{ file: 'bad.yaml', path: 'datasets.t.source.schema.pattern', message: 'must be anchored: start with ^ and end with $' }]);
    }
  });

  it('refuses a pattern that does not compile', () => {
    const issues = issuesOf(routed(`database: { attribute: s, pattern: '^tenant_[a-z$', reference: tenant_t }`));
    expect(issues[0]?.path).toBe('datasets.t.source.database.pattern');
    expect(issues[0]?.message).toMatch(/^is not a valid regular expression/);
  });

  it('refuses schema and database together, a qualified routed table, and a missing reference', () => {
    expect(issuesOf(routed(`schema: { attribute: s, pattern: '^a$', reference: a }\n      database: { attribute: s, pattern: '^a$', reference: a }`)).map((i) => i.message)).toContain('a source routes by schema or by database, not both');
    expect(issuesOf(routed(`schema: { attribute: s, pattern: '^a$', reference: a }`).replace('table: things', 'table: shared.things'))).toEqual([
      { file: 'bad.yaml', path: 'datasets.t.source.table', message: 'a routed table is not schema-qualified: the route supplies the schema' },
    ]);
    expect(issuesOf(routed(`schema: { attribute: s, pattern: '^a$' }`)).map((i) => i.path)).toContain('datasets.t.source.schema.reference');
  });

  it('still requires a row-level policy or an explicit none on a routed dataset', () => {
    const issues = issuesOf(routed(`schema: { attribute: s, pattern: '^a$', reference: a }`).replace('rowLevelSecurity: none', ''));
    expect(issues.map((i) => i.path)).toContain('datasets.t.rowLevelSecurity');
  });

  it('refuses joins across different routes and between a database-routed and a shared dataset', () => {
    const other = (route: string) => `  u:
    source:
      table: others
      ${route}
    dimensions: { a: { column: a } }
    joins: { t: { dataset: t, on: { a: a } } }
    rowLevelSecurity: none`;
    const schemaT = `schema: { attribute: s, pattern: '^a$', reference: a }`;
    expect(issuesOf(routed(schemaT, other(`schema: { attribute: other, pattern: '^a$', reference: a }`)))[0]).toMatchObject({ path: 'datasets.u.joins.t.dataset' });
    expect(issuesOf(routed(schemaT, other(`database: { attribute: s, pattern: '^a$', reference: a }`)))[0]).toMatchObject({ path: 'datasets.u.joins.t.dataset' });
    expect(issuesOf(routed(`database: { attribute: s, pattern: '^a$', reference: a }`, other('')))[0]).toMatchObject({ path: 'datasets.u.joins.t.dataset', message: 'a dataset routed to a tenant database joins only datasets routed to that database' });
    // Schema-routed joining a shared dataset (and the other way round) is allowed.
    expect(() => parseModel([{ file: 'ok.yaml', text: routed(schemaT, other('')) }])).not.toThrow();
  });
});

describe('binding a tenant route', () => {
  it('qualifies the routed table and its routed join with the same schema, and leaves the shared join alone', () => {
    const compiled = compileQuery(model, { dataset: 'orders', measures: ['revenue'], dimensions: ['plan.name', 'rate.rate'] }, as({ tenantSchema: 'tenant_acme' }), 'postgres', OPTIONS);
    expect(compiled.main.sql).toBe(
      'SELECT "plan"."name" AS "plan.name", "rate"."rate" AS "rate.rate", SUM("orders"."amount") AS "revenue" FROM "tenant_acme"."orders" AS "orders" LEFT JOIN "tenant_acme"."plans" AS "plan" ON "orders"."plan_id" = "plan"."plan_id" LEFT JOIN "fx_rates" AS "rate" ON "orders"."currency" = "rate"."currency" GROUP BY 1, 2 LIMIT 1000',
    );
    expect(compiled.main.route).toEqual({ schema: 'tenant_acme' });
  });

  it('golden SQL of a routed table on DuckDB and MySQL', () => {
    const user = as({ tenantSchema: 'tenant_acme' });
    const q = { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] };
    expect(compileQuery(model, q, user, 'duckdb', OPTIONS).main.sql).toBe('SELECT "orders"."region" AS "region", SUM("orders"."amount") AS "revenue" FROM "tenant_acme"."orders" AS "orders" GROUP BY 1 LIMIT 1000');
    expect(compileQuery(model, q, user, 'mysql', OPTIONS).main.sql).toBe('SELECT `orders`.`region` AS `region`, SUM(`orders`.`amount`) AS `revenue` FROM `tenant_acme`.`orders` AS `orders` GROUP BY 1 LIMIT 1000');
  });

  it('routes distinct values and totals too', () => {
    const user = as({ tenantSchema: 'tenant_b' });
    const values = compileDistinctValues(model, { dataset: 'orders', member: 'region' }, user, 'postgres', OPTIONS);
    expect(values.main.sql).toContain('FROM "tenant_b"."orders"');
    expect(values.main.route).toEqual({ schema: 'tenant_b' });
    const totals = compileQuery(model, { dataset: 'orders', measures: ['revenue'], dimensions: ['region'], totals: true }, user, 'postgres', OPTIONS).totals;
    expect(totals?.sql).toContain('FROM "tenant_b"."orders"');
    expect(totals?.route).toEqual({ schema: 'tenant_b' });
  });

  it('a database route leaves the SQL unqualified and rides on the statement', () => {
    const compiled = compileQuery(model, { dataset: 'invoices', measures: ['count'] }, as({ tenantDb: 'perch_t_acme', customerId: 'c1' }), 'mysql', OPTIONS);
    expect(compiled.main.sql).toBe('SELECT COUNT(*) AS `count` FROM `invoices` AS `invoices` WHERE `invoices`.`customer_id` = ? LIMIT 1000');
    expect(compiled.main.route).toEqual({ database: 'perch_t_acme' });
  });

  it('refuses a missing attribute with rls_attribute_missing (default deny)', () => {
    const error = refusal(() => compileQuery(model, { dataset: 'orders', measures: ['revenue'] }, as({}), 'postgres', OPTIONS));
    expect(error).toMatchObject({ code: 'rls_attribute_missing', path: 'attributes.tenantSchema' });
    // A database route is required the same way.
    expect(refusal(() => compileQuery(model, { dataset: 'invoices', measures: ['count'] }, as({ customerId: 'c1' }), 'postgres', OPTIONS))).toMatchObject({ code: 'rls_attribute_missing', path: 'attributes.tenantDb' });
  });

  it('refuses SQL, quotes, dots, another case, look-alikes, non-strings and over-long names with tenant_route_invalid', () => {
    const bad: unknown[] = [
      'tenant_a"; DROP SCHEMA tenant_b CASCADE; --',
      'tenant_a".orders --',
      'tenant_a\'',
      'tenant_a.orders',
      'tenant_b.tenant_a',
      'TENANT_A',
      'Tenant_a',
      'tenant_\u0430', // Cyrillic а
      'tenant_a\u200b', // zero-width space
      'tenant_ａ', // fullwidth a
      'tenant_a\n',
      'tenant_a\u0000',
      ' tenant_a',
      'tenant_',
      `tenant_${'a'.repeat(41)}`,
      'public',
      42,
      true,
      ['tenant_a'],
    ];
    for (const value of bad) {
      const error = refusal(() => compileQuery(model, { dataset: 'orders', measures: ['revenue'] }, as({ tenantSchema: value as string }), 'postgres', OPTIONS));
      expect(error.code, JSON.stringify(value)).toBe('tenant_route_invalid');
      expect(error.path).toBe('attributes.tenantSchema');
      expect(error.message).not.toContain(String(value));
    }
  });

  it('quotes any value the pattern admits, on every dialect', () => {
    const loose = parseModel([{ file: 'loose.yaml', text: routed(`schema: { attribute: s, pattern: '^.{1,30}$', reference: a }`) }]);
    const q = { dataset: 't', dimensions: ['a'] };
    expect(compileQuery(loose, q, as({ s: 'x"y' }), 'postgres', OPTIONS).main.sql).toContain('FROM "x""y"."things"');
    expect(compileQuery(loose, q, as({ s: 'x`y' }), 'mysql', OPTIONS).main.sql).toContain('FROM `x``y`.`things`');
    expect(compileQuery(loose, q, as({ s: 'x"y' }), 'duckdb', OPTIONS).main.sql).toContain('FROM "x""y"."things"');
  });

  it('never lets a value through that the anchored pattern rejects (property)', () => {
    const re = /^(?:^tenant_[a-z0-9_]{1,40}$)$/u;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (value) => {
        const user = as({ tenantSchema: `tenant_${value}` });
        let sql: string | undefined;
        try {
          sql = compileQuery(model, { dataset: 'orders', measures: ['revenue'] }, user, 'postgres', OPTIONS).main.sql;
        } catch {
          sql = undefined;
        }
        expect(sql !== undefined).toBe(re.test(`tenant_${value}`));
        if (sql) expect(sql).toContain(`FROM "tenant_${value}"."orders"`);
      }),
    );
  });

  it('anchors a top-level alternation as a whole', () => {
    const alternation = parseModel([{ file: 'alt.yaml', text: routed(`schema: { attribute: s, pattern: '^tenant_a$|^tenant_b$', reference: a }`) }]);
    const q = { dataset: 't', dimensions: ['a'] };
    expect(compileQuery(alternation, q, as({ s: 'tenant_b' }), 'postgres', OPTIONS).main.route).toEqual({ schema: 'tenant_b' });
    expect(refusal(() => compileQuery(alternation, q, as({ s: 'tenant_bx' }), 'postgres', OPTIONS)).code).toBe('tenant_route_invalid');
  });

  it('allows 64-byte database names on MySQL only', () => {
    const long = parseModel([{ file: 'long.yaml', text: routed(`database: { attribute: s, pattern: '^[a-z]{1,80}$', reference: a }`) }]);
    const q = { dataset: 't', dimensions: ['a'] };
    expect(compileQuery(long, q, as({ s: 'a'.repeat(64) }), 'mysql', OPTIONS).main.route).toEqual({ database: 'a'.repeat(64) });
    expect(refusal(() => compileQuery(long, q, as({ s: 'a'.repeat(64) }), 'postgres', OPTIONS)).code).toBe('tenant_route_invalid');
    expect(compileQuery(long, q, as({ s: 'a'.repeat(63) }), 'postgres', OPTIONS).main.route).toEqual({ database: 'a'.repeat(63) });
  });
});

describe('column probe, explain and catalog look-up of routed datasets', () => {
  it('probes the reference schema or database', () => {
    const schemaProbe = compileColumnProbe(model.datasets.get('orders')!, ['region'], 'postgres');
    expect(schemaProbe.sql).toBe('SELECT "orders"."region" AS "region" FROM "tenant_template"."orders" AS "orders" WHERE FALSE');
    expect(schemaProbe.route).toEqual({ schema: 'tenant_template' });
    const databaseProbe = compileColumnProbe(model.datasets.get('invoices')!, ['customer_id'], 'mysql');
    expect(databaseProbe.sql).toBe('SELECT `invoices`.`customer_id` AS `customer_id` FROM `invoices` AS `invoices` WHERE FALSE');
    expect(databaseProbe.route).toEqual({ database: 'perch_t_template' });
  });

  it('explains the route: bound, missing or invalid', () => {
    expect(explainAccess(model, as({ tenantSchema: 'tenant_acme' }), 'orders').route).toEqual({ kind: 'schema', attribute: 'tenantSchema', pattern: '^tenant_[a-z0-9_]{1,40}$', value: 'tenant_acme', status: 'bound' });
    const missing = explainAccess(model, as({}), 'orders');
    expect(missing).toMatchObject({ outcome: 'denied', missingAttributes: ['tenantSchema'], route: { status: 'attribute_missing' } });
    expect(missing.joins.plan?.route?.status).toBe('attribute_missing');
    expect(missing.joins.rate?.route).toBeUndefined();
    expect(explainAccess(model, as({ tenantSchema: 'TENANT_ACME' }), 'orders')).toMatchObject({ outcome: 'denied', invalidAttributes: ['tenantSchema'], route: { status: 'route_invalid', value: 'TENANT_ACME' } });
  });

  it('lists schemas and databases per dialect, and refuses database routes on DuckDB', () => {
    expect(compileRouteCatalog('postgres', 'schema').sql).toBe('SELECT schema_name AS name FROM information_schema.schemata');
    expect(compileRouteCatalog('postgres', 'database').sql).toContain('pg_catalog.pg_database');
    expect(compileRouteCatalog('mysql', 'database').sql).toBe('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
    expect(compileRouteCatalog('duckdb', 'schema').parameters).toEqual([]);
    expect(refusal(() => compileRouteCatalog('duckdb', 'database')).code).toBe('invalid_request');
  });
});

describe('typing a routed dataset from its reference', () => {
  it('names the reference schema when a policy column is missing there', async () => {
    const { withColumnTypes } = await import('./model/column-types.js');
    const typed = parseModel([{ file: 'r.yaml', text: MODEL }]);
    const error = (() => {
      try {
        withColumnTypes(typed, new Map([['invoices', new Map()]]));
      } catch (e) {
        return e as ModelValidationError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.issues).toEqual([{ file: 'r.yaml', path: 'datasets.invoices.rowLevelSecurity.column', message: 'column "customer_id" does not exist in table "invoices" of reference database "perch_t_template"' }]);
  });
});
