import { PerchError, type EmbedUser } from '@perch/protocol';
import { parseModel } from '../src/model/parse.js';
import { withColumnTypes, type SourceColumnTypes } from '../src/model/column-types.js';

/**
 * A small model with one dataset per RLS shape, all over the same `sales` table, used by the
 * golden-SQL, bad-input, property and execution tests.
 */
export const FIXTURE_YAML = `
datasets:
  eq:
    source: { table: sales }
    dimensions:
      region: { column: region }
      customer: { column: customer_id }
      amount: { column: amount, type: number }
      active: { column: active, type: boolean }
      ordered_at: { column: ordered_at, type: time }
    measures:
      revenue: { sum: amount, synonyms: [sales, turnover] }
      orders: { count: "*" }
      aov: { expression: revenue / orders }
      margin: { expression: revenue * 0.3 }
      secret: { max: amount }
    joins:
      account: { dataset: accounts, on: { customer_id: customer_id } }
    members:
      margin: { roles: [maker, admin] }
      secret: { attribute: { name: department, in: [finance] } }
    rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }
  inarr:
    source: { table: sales }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity: { column: region, in: { attribute: regions } }
  notin:
    source: { table: sales }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity: { column: region, notIn: { attribute: blockedRegions } }
  range:
    source: { table: sales }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity:
      all:
        - { column: amount, gt: { attribute: minAmount } }
        - { column: amount, lte: { value: 1000 } }
  nested:
    source: { table: sales }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity:
      all:
        - { column: customer_id, equals: { attribute: customerId } }
        - any:
            - { column: region, in: { attribute: regions } }
            - { id: finance-sees-all, attribute: department, equals: { value: finance } }
  joined:
    source: { sql: "select * from sales where amount > 0" }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    joins:
      account: { dataset: accounts, on: { customer_id: customer_id } }
    rowLevelSecurity: none
  accounts:
    source: { table: accounts }
    dimensions:
      customer_id: { column: customer_id }
      name: { column: name }
      tier: { column: tier }
    measures: { count: { count: "*" } }
    rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }
  public:
    source: { table: sales }
    dimensions: { region: { column: region } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity: none
`;

/** The column types of the fixture's tables, as a warehouse's catalog reports them at startup. */
const SALES_COLUMNS: SourceColumnTypes = new Map([
  ['customer_id', 'string'],
  ['region', 'string'],
  ['amount', 'number'],
  ['active', 'boolean'],
  ['ordered_at', 'time'],
] as const);
const ACCOUNTS_COLUMNS: SourceColumnTypes = new Map([
  ['customer_id', 'string'],
  ['name', 'string'],
  ['tier', 'string'],
] as const);

export const fixtureModel = withColumnTypes(
  parseModel([{ file: 'fixture.yaml', text: FIXTURE_YAML }]),
  new Map<string, SourceColumnTypes>([...['eq', 'inarr', 'notin', 'range', 'nested', 'joined', 'public'].map((name) => [name, SALES_COLUMNS] as const), ['accounts', ACCOUNTS_COLUMNS]]),
);

export function user(attributes: Record<string, string | number | boolean | Array<string | number>>, role: EmbedUser['role'] = 'viewer'): EmbedUser {
  return { distinctId: 'u-1', role, attributes };
}

export const ACME = user({ customerId: 'acme', regions: ['EMEA', 'APAC'], blockedRegions: ['AMER'], minAmount: 10, department: 'sales' });
export const NOW = new Date('2026-10-15T12:00:00Z');
export const OPTIONS = { maxLimit: 5000, now: NOW } as const;

/** The PerchError a call throws; fails the test when it throws nothing or something else. */
export function refusal(run: () => unknown): PerchError {
  try {
    run();
  } catch (error) {
    if (error instanceof PerchError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}
