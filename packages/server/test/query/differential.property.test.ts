/**
 * Differential property test: for random semantic queries over the demo `orders` dataset
 * (joined members, filters, time buckets, order, limit) and random tenants, the governed answer
 * equals a hand-written reference SQL with the tenant predicate written out, on DuckDB, on
 * PostgreSQL and on MariaDB, and no other tenant's canary appears anywhere in the response.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbedTokenClaims } from '@perch/protocol';
import type { Connector, QueryRows } from '../../src/connectors/index.js';
import { QueryService } from '../../src/query/index.js';
import { governed } from '../connectors/contract.js';
import { CANARIES, QUERY_LIMITS_FOR_TESTS, mintFor, openMySqlWarehouse, openWarehouses, postQuery, startQueryPerch, type MySqlWarehouse, type Warehouses } from './warehouse-fixture.js';
import { referenceSql, type GeneratedCondition, type GeneratedFilter, type GeneratedQuery } from './reference-sql.js';
import type { TestPerch } from '../helpers/test-perch.js';

// 250 per connector (500 in all) keeps the file short on two shared cores; raise it with the variable.
const RUNS_PER_CONNECTOR = Number(process.env.PERCH_DIFFERENTIAL_RUNS ?? 250);
// The MySQL dialect is the newest, so it carries the full 500 on its own.
const MYSQL_RUNS = Math.max(RUNS_PER_CONNECTOR, 500);
const TENANTS = ['acme', 'globex', 'initech'] as const;
const DEPARTMENTS = ['sales', 'finance', 'marketing', 'support', 'operations'] as const;
const CHANNEL_VALUES = ['web', 'store', 'partner', CANARIES.globex, CANARIES.initech];

const memberFilter: fc.Arbitrary<GeneratedFilter> = fc.oneof(
  fc.record({ member: fc.constant('channel'), operator: fc.constantFrom('in' as const, 'notIn' as const), values: fc.subarray(CHANNEL_VALUES, { minLength: 1 }) }),
  fc.record({ member: fc.constant('status'), operator: fc.constantFrom('equals' as const, 'notEquals' as const), values: fc.constantFrom('completed', 'refunded', 'pending', CANARIES.initech).map((v) => [v]) }),
  fc.record({ member: fc.constant('region'), operator: fc.constantFrom('in' as const, 'notIn' as const), values: fc.subarray(['EMEA', 'AMER', 'APAC', CANARIES.globex], { minLength: 1 }) }),
  fc.record({ member: fc.constant('product.category'), operator: fc.constant('in' as const), values: fc.subarray(['Hardware', 'Software', 'Services', 'Accessories', 'Training'], { minLength: 1 }) }),
  fc.record({ member: fc.constant('customer.segment'), operator: fc.constantFrom('equals' as const, 'notEquals' as const), values: fc.constantFrom('Enterprise', 'Mid-Market', 'SMB').map((v) => [v]) }),
  fc.record({ member: fc.constant('order_id'), operator: fc.constantFrom('gt' as const, 'lte' as const), values: fc.integer({ min: 0, max: 25_000 }).map((v) => [v]) }),
);
const condition: fc.Arbitrary<GeneratedCondition> = fc.oneof({ weight: 4, arbitrary: memberFilter }, { weight: 1, arbitrary: fc.array(memberFilter, { minLength: 2, maxLength: 3 }).map((or) => ({ or })) });

const generatedQuery: fc.Arbitrary<GeneratedQuery> = fc
  .record({
    measures: fc.subarray(['revenue', 'orders', 'units', 'customers', 'largest_order', 'average_order_value', 'margin'], { minLength: 1, maxLength: 3 }),
    dimensions: fc.subarray(['region', 'department', 'channel', 'status', 'customer.segment', 'customer.name', 'product.category'], { maxLength: 2 }),
    granularity: fc.option(fc.constantFrom('month' as const, 'year' as const), { nil: undefined }),
    dateRange: fc.option(fc.constantFrom<[string, string]>(['2024-01-01', '2024-12-31'], ['2025-03-01', '2025-08-31'], ['2023-10-01', '2026-10-31']), { nil: undefined }),
    filters: fc.array(condition, { maxLength: 3 }),
    orderByFirstMeasure: fc.option(fc.constantFrom('asc' as const, 'desc' as const), { nil: undefined }),
    limit: fc.integer({ min: 1, max: 300 }),
  })
  .map(({ measures, dimensions, granularity, dateRange, filters, orderByFirstMeasure, limit }) => ({
    dataset: 'orders' as const,
    measures,
    dimensions,
    ...(granularity || dateRange ? { timeDimension: { member: 'ordered_at' as const, ...(granularity ? { granularity } : {}), ...(dateRange ? { dateRange } : {}) } } : {}),
    filters,
    order: orderByFirstMeasure ? [{ member: measures[0]!, direction: orderByFirstMeasure }] : [],
    limit,
  }));
const tenant = fc.record({ customerId: fc.constantFrom(...TENANTS), department: fc.constantFrom(...DEPARTMENTS) });

type Row = Record<string, string | number | boolean | null>;

function sameNumber(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  return a === b;
}

/** Every governed row is a reference group with the same measures, and nothing is missing below the limit. */
function expectSameAnswer(query: GeneratedQuery, rows: Row[], reference: QueryRows, label: string): void {
  const keyColumns = [...query.dimensions, ...(query.timeDimension?.granularity ? [`ordered_at.${query.timeDimension.granularity}`] : [])];
  const keyOf = (row: Row) => JSON.stringify(keyColumns.map((c) => row[c]));
  const byKey = new Map(reference.rows.map((row) => [keyOf(row), row]));
  expect(rows.length, label).toBe(Math.min(query.limit, reference.rows.length));
  for (const row of rows) {
    const expected = byKey.get(keyOf(row));
    expect(expected, `${label}: unexpected group ${keyOf(row)}`).toBeDefined();
    for (const measure of query.measures) expect(sameNumber(row[measure], expected![measure]), `${label}: ${measure} ${row[measure]} vs ${expected![measure]}`).toBe(true);
  }
}

function expectNoForeignCanary(body: string, customerId: string): void {
  for (const [owner, canary] of Object.entries(CANARIES)) if (owner !== customerId) expect(body).not.toContain(canary);
}

let warehouses: Warehouses;
let mysqlWarehouse: MySqlWarehouse;
let httpPerch: TestPerch;
const tokens = new Map<string, string>();

beforeAll(async () => {
  warehouses = await openWarehouses(20_000, 'perch_qdiff');
  mysqlWarehouse = await openMySqlWarehouse(warehouses.duckdbPath, 'perch_qdiff');
  // PostgreSQL answers over HTTP (token → verification → route → service); DuckDB through the service.
  ({ perch: httpPerch } = await startQueryPerch(warehouses.model, warehouses.postgres));
  for (const customerId of TENANTS) {
    for (const department of DEPARTMENTS) tokens.set(`${customerId}/${department}`, await mintFor(httpPerch, { distinctId: `${customerId}-${department}`, role: 'maker', attributes: { customerId, department } }));
  }
}, 300_000);
afterAll(async () => {
  await httpPerch?.close();
  await warehouses?.close();
  await mysqlWarehouse?.close();
});

function claimsFor(customerId: string, department: string): EmbedTokenClaims {
  return {
    iss: 'perch', aud: 'default', sub: customerId, jti: 'j', iat: 0, nbf: 0, exp: 0, env: 'test', kid_api: 'k',
    user: { distinctId: customerId, role: 'maker', attributes: { customerId, department } },
    scope: { dashboards: [], assistant: false },
  };
}

describe('governed answers equal hand-written tenant SQL', () => {
  it(`PostgreSQL over HTTP (${RUNS_PER_CONNECTOR} queries)`, async () => {
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(generatedQuery, tenant, async (query, user) => {
        const response = await postQuery(httpPerch, tokens.get(`${user.customerId}/${user.department}`)!, query);
        expect(response.statusCode, response.body).toBe(200);
        expectNoForeignCanary(response.body, user.customerId);
        const reference = await warehouses.postgres.execute(governed('postgres', referenceSql(query, user)));
        if (reference.rows.length > 0) nonEmpty++;
        expectSameAnswer(query, response.json().rows as Row[], reference, 'postgres');
      }),
      { numRuns: RUNS_PER_CONNECTOR },
    );
    // The generator is not vacuous: most queries return data.
    expect(nonEmpty).toBeGreaterThan(RUNS_PER_CONNECTOR / 3);
  }, 600_000);

  it(`DuckDB through the query service (${RUNS_PER_CONNECTOR} queries)`, async () => {
    const service = new QueryService({ model: warehouses.model, connector: warehouses.duckdb as Connector, limits: QUERY_LIMITS_FOR_TESTS });
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(generatedQuery, tenant, async (query, user) => {
        const { result } = await service.run(claimsFor(user.customerId, user.department), query);
        expectNoForeignCanary(JSON.stringify(result), user.customerId);
        const reference = await warehouses.duckdb.execute(governed('duckdb', referenceSql(query, user)));
        if (reference.rows.length > 0) nonEmpty++;
        expectSameAnswer(query, result.rows, reference, 'duckdb');
      }),
      { numRuns: RUNS_PER_CONNECTOR },
    );
    expect(nonEmpty).toBeGreaterThan(RUNS_PER_CONNECTOR / 3);
  }, 600_000);

  it(`MariaDB through the query service (${MYSQL_RUNS} queries)`, async () => {
    const service = new QueryService({ model: warehouses.model, connector: mysqlWarehouse.connector, limits: QUERY_LIMITS_FOR_TESTS });
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(generatedQuery, tenant, async (query, user) => {
        const { result } = await service.run(claimsFor(user.customerId, user.department), query);
        expectNoForeignCanary(JSON.stringify(result), user.customerId);
        const reference = await mysqlWarehouse.connector.execute(governed('mysql', referenceSql(query, user, 'mysql')));
        if (reference.rows.length > 0) nonEmpty++;
        expectSameAnswer(query, result.rows, reference, 'mysql');
      }),
      { numRuns: MYSQL_RUNS },
    );
    expect(nonEmpty).toBeGreaterThan(MYSQL_RUNS / 3);
  }, 600_000);
});
