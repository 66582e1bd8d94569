import { describe, expect, it } from 'vitest';
import type { EmbedUser } from '@perch/protocol';
import { compileDistinctValues, compileQuery } from '../pipeline.js';
import { ACME, fixtureModel, OPTIONS, user } from '../../test/fixture-model.js';

interface GoldenCase {
  name: string;
  query: unknown;
  user: EmbedUser;
  /** Expected SQL; a string when both dialects agree. */
  sql: string | Record<'duckdb' | 'postgres', string>;
  parameters: unknown[];
  policies: string[];
}

const CASES: GoldenCase[] = [
  {
    name: 'column equals attribute',
    query: { dataset: 'eq', measures: ['revenue'], dimensions: ['region'] },
    user: ACME,
    sql: 'SELECT "eq"."region" AS "region", SUM("eq"."amount") AS "revenue" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 GROUP BY 1 LIMIT 1000',
    parameters: ['acme'],
    policies: ['eq.rls'],
  },
  {
    name: 'in with an array attribute',
    query: { dataset: 'inarr', measures: ['orders'] },
    user: ACME,
    sql: 'SELECT COUNT(*) AS "orders" FROM "sales" AS "inarr" WHERE "inarr"."region" IN ($1, $2) LIMIT 1000',
    parameters: ['EMEA', 'APAC'],
    policies: ['inarr.rls'],
  },
  {
    name: 'in with an empty array matches nothing',
    query: { dataset: 'inarr', measures: ['orders'] },
    user: user({ regions: [] }),
    sql: 'SELECT COUNT(*) AS "orders" FROM "sales" AS "inarr" WHERE FALSE LIMIT 1000',
    parameters: [],
    policies: ['inarr.rls'],
  },
  {
    name: 'notIn',
    query: { dataset: 'notin', measures: ['orders'], dimensions: ['region'] },
    user: ACME,
    sql: 'SELECT "notin"."region" AS "region", COUNT(*) AS "orders" FROM "sales" AS "notin" WHERE "notin"."region" NOT IN ($1) GROUP BY 1 LIMIT 1000',
    parameters: ['AMER'],
    policies: ['notin.rls'],
  },
  {
    name: 'gt with an attribute and lte with a model literal',
    query: { dataset: 'range', measures: ['orders'] },
    user: ACME,
    sql: 'SELECT COUNT(*) AS "orders" FROM "sales" AS "range" WHERE "range"."amount" > $1 AND "range"."amount" <= $2 LIMIT 1000',
    parameters: [10, 1000],
    policies: ['range.rls', 'range.rls.all[0]', 'range.rls.all[1]'],
  },
  {
    name: 'all/any nesting with a false user-only condition; the client OR stays in its own group',
    query: { dataset: 'nested', measures: ['orders'], filters: [{ or: [{ member: 'region', operator: 'equals', values: ['EMEA'] }, { member: 'region', operator: 'notSet' }] }] },
    user: ACME,
    sql: 'SELECT COUNT(*) AS "orders" FROM "sales" AS "nested" WHERE ("nested"."customer_id" = $1 AND "nested"."region" IN ($2, $3)) AND ("nested"."region" = $4 OR "nested"."region" IS NULL) LIMIT 1000',
    parameters: ['acme', 'EMEA', 'APAC', 'EMEA'],
    policies: ['nested.rls', 'nested.rls.all[0]', 'nested.rls.all[1]', 'nested.rls.all[1].any[0]', 'finance-sees-all'],
  },
  {
    name: 'a true user-only condition satisfies its any group',
    query: { dataset: 'nested', measures: ['orders'] },
    user: user({ customerId: 'acme', regions: ['EMEA'], department: 'finance' }),
    sql: 'SELECT COUNT(*) AS "orders" FROM "sales" AS "nested" WHERE "nested"."customer_id" = $1 LIMIT 1000',
    parameters: ['acme'],
    policies: ['nested.rls', 'nested.rls.all[0]', 'nested.rls.all[1]', 'nested.rls.all[1].any[0]', 'finance-sees-all'],
  },
  {
    name: "a joined dataset's RLS goes into the LEFT JOIN's ON clause (SQL source, base RLS none)",
    query: { dataset: 'joined', measures: ['orders'], dimensions: ['account.tier'] },
    user: ACME,
    sql: 'SELECT "account"."tier" AS "account.tier", COUNT(*) AS "orders" FROM (select * from sales where amount > 0) AS "joined" LEFT JOIN "accounts" AS "account" ON "joined"."customer_id" = "account"."customer_id" AND "account"."customer_id" = $1 GROUP BY 1 LIMIT 1000',
    parameters: ['acme'],
    policies: ['accounts.rls'],
  },
  {
    name: 'rowLevelSecurity none, with limit and offset',
    query: { dataset: 'public', measures: ['orders'], dimensions: ['region'], limit: 10, offset: 20 },
    user: ACME,
    sql: 'SELECT "public"."region" AS "region", COUNT(*) AS "orders" FROM "sales" AS "public" GROUP BY 1 LIMIT 10 OFFSET 20',
    parameters: [],
    policies: [],
  },
  {
    name: 'expression measure with division, between filter and order',
    query: { dataset: 'eq', measures: ['revenue', 'aov'], dimensions: ['region'], filters: [{ member: 'amount', operator: 'between', values: [1, 50] }], order: [{ member: 'revenue', direction: 'desc' }] },
    user: ACME,
    sql: {
      duckdb:
        'SELECT "eq"."region" AS "region", SUM("eq"."amount") AS "revenue", (CAST(SUM("eq"."amount") AS DOUBLE) / NULLIF(COUNT(*), 0)) AS "aov" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 AND ("eq"."amount" >= $2 AND "eq"."amount" <= $3) GROUP BY 1 ORDER BY "revenue" DESC LIMIT 1000',
      postgres:
        'SELECT "eq"."region" AS "region", SUM("eq"."amount") AS "revenue", (CAST(SUM("eq"."amount") AS DOUBLE PRECISION) / NULLIF(COUNT(*), 0)) AS "aov" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 AND ("eq"."amount" >= $2 AND "eq"."amount" <= $3) GROUP BY 1 ORDER BY "revenue" DESC LIMIT 1000',
    },
    parameters: ['acme', 1, 50],
    policies: ['eq.rls'],
  },
  {
    name: 'time dimension by week with "last 2 weeks" in America/New_York (fixed now)',
    query: { dataset: 'eq', measures: ['orders'], timeDimension: { member: 'ordered_at', granularity: 'week', dateRange: 'last 2 weeks' }, timezone: 'America/New_York' },
    user: ACME,
    sql: `SELECT date_trunc('week', ("eq"."ordered_at" AT TIME ZONE 'UTC') AT TIME ZONE $1) AS "ordered_at.week", COUNT(*) AS "orders" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $2 AND ("eq"."ordered_at" >= CAST($3 AS TIMESTAMP) AND "eq"."ordered_at" < CAST($4 AS TIMESTAMP)) GROUP BY 1 ORDER BY "ordered_at.week" ASC LIMIT 1000`,
    // now = Thursday 2026-10-15; this week starts Monday 2026-10-12; EDT is UTC-4.
    parameters: ['America/New_York', 'acme', '2026-09-28 04:00:00', '2026-10-12 04:00:00'],
    policies: ['eq.rls'],
  },
  {
    name: 'a filter on a measure goes to HAVING, a dimension filter to WHERE',
    query: { dataset: 'eq', measures: ['revenue'], dimensions: ['region'], filters: [{ member: 'revenue', operator: 'gt', values: [100] }, { member: 'active', operator: 'equals', values: [true] }] },
    user: ACME,
    sql: 'SELECT "eq"."region" AS "region", SUM("eq"."amount") AS "revenue" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 AND "eq"."active" = $2 GROUP BY 1 HAVING SUM("eq"."amount") > $3 LIMIT 1000',
    parameters: ['acme', true, 100],
    policies: ['eq.rls'],
  },
  {
    name: 'contains escapes LIKE wildcards and binds the pattern',
    query: { dataset: 'eq', measures: ['orders'], filters: [{ member: 'region', operator: 'contains', values: ['50%_off'] }] },
    user: ACME,
    sql: `SELECT COUNT(*) AS "orders" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 AND "eq"."region" ILIKE $2 ESCAPE '\\' LIMIT 1000`,
    parameters: ['acme', '%50\\%\\_off%'],
    policies: ['eq.rls'],
  },
];

describe.each(['duckdb', 'postgres'] as const)('golden SQL (%s)', (dialect) => {
  it.each(CASES)('$name', (c) => {
    const compiled = compileQuery(fixtureModel, c.query, c.user, dialect, OPTIONS);
    expect(compiled.main.sql).toBe(typeof c.sql === 'string' ? c.sql : c.sql[dialect]);
    expect(compiled.main.parameters).toEqual(c.parameters);
    expect(compiled.main.policiesApplied).toEqual(c.policies);
    expect(compiled.main.dialect).toBe(dialect);
    expect(Object.isFrozen(compiled.main)).toBe(true);
  });

  it('totals: same RLS and filters, no dimensions, no order or limit', () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'eq', measures: ['revenue'], dimensions: ['region'], filters: [{ member: 'region', operator: 'in', values: ['EMEA', 'AMER'] }], totals: true, limit: 5 }, ACME, dialect, OPTIONS);
    expect(compiled.totals?.sql).toBe('SELECT SUM("eq"."amount") AS "revenue" FROM "sales" AS "eq" WHERE "eq"."customer_id" = $1 AND "eq"."region" IN ($2, $3)');
    expect(compiled.totals?.parameters).toEqual(['acme', 'EMEA', 'AMER']);
    expect(compiled.totals?.policiesApplied).toEqual(['eq.rls']);
  });

  it('distinct values go through RLS of the dataset and of the join', () => {
    const compiled = compileDistinctValues(fixtureModel, { dataset: 'eq', member: 'account.name', search: 'Ac_', limit: 20 }, ACME, dialect, OPTIONS);
    expect(compiled.main.sql).toBe(
      `SELECT DISTINCT "account"."name" AS "account.name" FROM "sales" AS "eq" LEFT JOIN "accounts" AS "account" ON "eq"."customer_id" = "account"."customer_id" AND "account"."customer_id" = $1 WHERE "eq"."customer_id" = $2 AND "account"."name" ILIKE $3 ESCAPE '\\' ORDER BY "account.name" ASC LIMIT 20`,
    );
    expect(compiled.main.parameters).toEqual(['acme', 'acme', 'Ac\\_%']);
    expect(compiled.main.policiesApplied).toEqual(['eq.rls', 'accounts.rls']);
    expect(compiled.columns).toEqual([{ name: 'account.name', type: 'string', kind: 'dimension' }]);
  });

  it('distinct values of a public dataset without search have no WHERE', () => {
    const compiled = compileDistinctValues(fixtureModel, { dataset: 'public', member: 'region' }, ACME, dialect, OPTIONS);
    expect(compiled.main.sql).toBe('SELECT DISTINCT "public"."region" AS "region" FROM "sales" AS "public" ORDER BY "region" ASC LIMIT 1000');
    expect(compiled.main.parameters).toEqual([]);
  });
});

/**
 * MySQL/MariaDB: its own table, one entry per case above. Backtick identifiers, `?` placeholders,
 * `CONVERT_TZ` + `TIMESTAMPADD` buckets, `LOWER(…) LIKE LOWER(?)` for ILIKE, DOUBLE casts.
 * Parameters equal the other dialects' except where noted.
 */
const MYSQL_GOLDEN: Record<string, { sql: string; parameters?: unknown[] }> = {
  'column equals attribute': {
    sql: 'SELECT `eq`.`region` AS `region`, SUM(`eq`.`amount`) AS `revenue` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? GROUP BY 1 LIMIT 1000',
  },
  'in with an array attribute': {
    sql: 'SELECT COUNT(*) AS `orders` FROM `sales` AS `inarr` WHERE `inarr`.`region` IN (?, ?) LIMIT 1000',
  },
  'in with an empty array matches nothing': {
    sql: 'SELECT COUNT(*) AS `orders` FROM `sales` AS `inarr` WHERE FALSE LIMIT 1000',
  },
  notIn: {
    sql: 'SELECT `notin`.`region` AS `region`, COUNT(*) AS `orders` FROM `sales` AS `notin` WHERE `notin`.`region` NOT IN (?) GROUP BY 1 LIMIT 1000',
  },
  'gt with an attribute and lte with a model literal': {
    sql: 'SELECT COUNT(*) AS `orders` FROM `sales` AS `range` WHERE `range`.`amount` > ? AND `range`.`amount` <= ? LIMIT 1000',
  },
  'all/any nesting with a false user-only condition; the client OR stays in its own group': {
    sql: 'SELECT COUNT(*) AS `orders` FROM `sales` AS `nested` WHERE (`nested`.`customer_id` = ? AND `nested`.`region` IN (?, ?)) AND (`nested`.`region` = ? OR `nested`.`region` IS NULL) LIMIT 1000',
  },
  'a true user-only condition satisfies its any group': {
    sql: 'SELECT COUNT(*) AS `orders` FROM `sales` AS `nested` WHERE `nested`.`customer_id` = ? LIMIT 1000',
  },
  "a joined dataset's RLS goes into the LEFT JOIN's ON clause (SQL source, base RLS none)": {
    sql: 'SELECT `account`.`tier` AS `account.tier`, COUNT(*) AS `orders` FROM (select * from sales where amount > 0) AS `joined` LEFT JOIN `accounts` AS `account` ON `joined`.`customer_id` = `account`.`customer_id` AND `account`.`customer_id` = ? GROUP BY 1 LIMIT 1000',
  },
  'rowLevelSecurity none, with limit and offset': {
    sql: 'SELECT `public`.`region` AS `region`, COUNT(*) AS `orders` FROM `sales` AS `public` GROUP BY 1 LIMIT 10 OFFSET 20',
  },
  'expression measure with division, between filter and order': {
    sql: 'SELECT `eq`.`region` AS `region`, SUM(`eq`.`amount`) AS `revenue`, (CAST(SUM(`eq`.`amount`) AS DOUBLE) / NULLIF(COUNT(*), 0)) AS `aov` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? AND (`eq`.`amount` >= ? AND `eq`.`amount` <= ?) GROUP BY 1 ORDER BY `revenue` DESC LIMIT 1000',
  },
  'time dimension by week with "last 2 weeks" in America/New_York (fixed now)': {
    // Weeks count from Monday 1900-01-01 (TO_DAYS 693961); the bound range is the same UTC text.
    sql: "SELECT TIMESTAMPADD(WEEK, FLOOR((TO_DAYS(CONVERT_TZ(`eq`.`ordered_at`, '+00:00', ?)) - 693961) / 7), TIMESTAMP '1900-01-01 00:00:00') AS `ordered_at.week`, COUNT(*) AS `orders` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? AND (`eq`.`ordered_at` >= CAST(? AS DATETIME(6)) AND `eq`.`ordered_at` < CAST(? AS DATETIME(6))) GROUP BY 1 ORDER BY `ordered_at.week` ASC LIMIT 1000",
  },
  'a filter on a measure goes to HAVING, a dimension filter to WHERE': {
    sql: 'SELECT `eq`.`region` AS `region`, SUM(`eq`.`amount`) AS `revenue` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? AND `eq`.`active` = ? GROUP BY 1 HAVING SUM(`eq`.`amount`) > ? LIMIT 1000',
  },
  'contains escapes LIKE wildcards and binds the pattern': {
    // `'\\\\'` in SQL text is one backslash in MySQL's default sql_mode (pinned by the connector).
    sql: "SELECT COUNT(*) AS `orders` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? AND LOWER(`eq`.`region`) LIKE LOWER(?) ESCAPE '\\\\' LIMIT 1000",
  },
};

describe('golden SQL (mysql)', () => {
  it('has an entry for every shared case', () => {
    expect(Object.keys(MYSQL_GOLDEN).sort()).toEqual(CASES.map((c) => c.name).sort());
  });

  it.each(CASES)('$name', (c) => {
    const golden = MYSQL_GOLDEN[c.name]!;
    const compiled = compileQuery(fixtureModel, c.query, c.user, 'mysql', OPTIONS);
    expect(compiled.main.sql).toBe(golden.sql);
    expect(compiled.main.parameters).toEqual(golden.parameters ?? c.parameters);
    expect(compiled.main.policiesApplied).toEqual(c.policies);
    expect(compiled.main.dialect).toBe('mysql');
  });

  it.each([
    ['day', "TIMESTAMPADD(DAY, TO_DAYS(CONVERT_TZ(`eq`.`ordered_at`, '+00:00', ?)) - 693961, TIMESTAMP '1900-01-01 00:00:00')"],
    ['month', "TIMESTAMPADD(MONTH, PERIOD_DIFF(EXTRACT(YEAR_MONTH FROM CONVERT_TZ(`eq`.`ordered_at`, '+00:00', ?)), 190001), TIMESTAMP '1900-01-01 00:00:00')"],
    ['quarter', "TIMESTAMPADD(QUARTER, FLOOR(PERIOD_DIFF(EXTRACT(YEAR_MONTH FROM CONVERT_TZ(`eq`.`ordered_at`, '+00:00', ?)), 190001) / 3), TIMESTAMP '1900-01-01 00:00:00')"],
    ['year', "TIMESTAMPADD(YEAR, YEAR(CONVERT_TZ(`eq`.`ordered_at`, '+00:00', ?)) - 1900, TIMESTAMP '1900-01-01 00:00:00')"],
  ] as const)('buckets by %s in UTC, bound as the offset +00:00 (no zone tables needed)', (granularity, bucket) => {
    const compiled = compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'], timeDimension: { member: 'ordered_at', granularity } }, ACME, 'mysql', OPTIONS);
    expect(compiled.main.sql).toBe(`SELECT ${bucket} AS \`ordered_at.${granularity}\`, COUNT(*) AS \`orders\` FROM \`sales\` AS \`eq\` WHERE \`eq\`.\`customer_id\` = ? GROUP BY 1 ORDER BY \`ordered_at.${granularity}\` ASC LIMIT 1000`);
    expect(compiled.main.parameters).toEqual(['+00:00', 'acme']);
  });

  it('totals and distinct values', () => {
    const totals = compileQuery(fixtureModel, { dataset: 'eq', measures: ['revenue'], dimensions: ['region'], filters: [{ member: 'region', operator: 'in', values: ['EMEA', 'AMER'] }], totals: true, limit: 5 }, ACME, 'mysql', OPTIONS);
    expect(totals.totals?.sql).toBe('SELECT SUM(`eq`.`amount`) AS `revenue` FROM `sales` AS `eq` WHERE `eq`.`customer_id` = ? AND `eq`.`region` IN (?, ?)');
    const distinct = compileDistinctValues(fixtureModel, { dataset: 'eq', member: 'account.name', search: 'Ac_', limit: 20 }, ACME, 'mysql', OPTIONS);
    expect(distinct.main.sql).toBe(
      "SELECT DISTINCT `account`.`name` AS `account.name` FROM `sales` AS `eq` LEFT JOIN `accounts` AS `account` ON `eq`.`customer_id` = `account`.`customer_id` AND `account`.`customer_id` = ? WHERE `eq`.`customer_id` = ? AND LOWER(`account`.`name`) LIKE LOWER(?) ESCAPE '\\\\' ORDER BY `account.name` ASC LIMIT 20",
    );
    expect(distinct.main.parameters).toEqual(['acme', 'acme', 'Ac\\_%']);
  });

  it('quotes identifiers with backticks, embedded backticks doubled', async () => {
    const { MySqlCompiler } = await import('./mysql.js');
    expect(new MySqlCompiler().quoteIdentifier('we`ird"')).toBe('`we``ird"`');
  });
});

describe('compileQuery metadata', () => {
  it('returns columns, members, the normalised query and a filter fingerprint', () => {
    const query = { dataset: 'eq', measures: ['orders'], dimensions: ['region'], filters: [{ member: 'amount', operator: 'gt', values: [5] }], timeDimension: { member: 'ordered_at', granularity: 'month' } };
    const compiled = compileQuery(fixtureModel, query, ACME, 'duckdb', OPTIONS);
    expect(compiled.columns).toEqual([
      { name: 'region', type: 'string', kind: 'dimension' },
      { name: 'ordered_at.month', type: 'time', kind: 'time' },
      { name: 'orders', type: 'number', kind: 'measure' },
    ]);
    expect(compiled.members).toEqual(['region', 'ordered_at', 'orders', 'amount']);
    expect(compiled.dataset).toBe('eq');
    expect(compiled.query.limit).toBeUndefined();
    expect(compiled.filterFingerprint).toMatch(/^[0-9a-f]{64}$/);
    const other = compileQuery(fixtureModel, { ...query, filters: [{ member: 'amount', operator: 'gt', values: [6] }] }, ACME, 'duckdb', OPTIONS);
    expect(other.filterFingerprint).not.toBe(compiled.filterFingerprint);
    const reordered = compileQuery(fixtureModel, { ...query, filters: [{ values: [5], operator: 'gt', member: 'amount' }] }, ACME, 'duckdb', OPTIONS);
    expect(reordered.filterFingerprint).toBe(compiled.filterFingerprint);
  });

  it('clamps a limit above the workspace maximum', () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'public', measures: ['orders'], limit: 20_000 }, ACME, 'postgres', { maxLimit: 100 });
    expect(compiled.main.sql.endsWith('LIMIT 100')).toBe(true);
  });

  it('quotes identifiers with embedded quotes doubled', async () => {
    const { PostgresCompiler } = await import('./postgres.js');
    expect(new PostgresCompiler().quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});
