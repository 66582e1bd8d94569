/**
 * One execution suite that both the DuckDB and PostgreSQL tests run: compiled SQL must actually
 * execute, return the caller's rows, and never return another tenant's canary values.
 */
import { expect, it } from 'vitest';
import { compileDistinctValues, compileQuery, type GovernedSql } from '../src/index.js';
import type { DialectName } from '../src/governed.js';
import { fixtureModel, OPTIONS, user } from './fixture-model.js';

export type Row = Record<string, unknown>;
export type Execute = (query: GovernedSql) => Promise<Row[]>;

/** Canary values live only in globex's rows; acme must never see them. */
export const CANARIES = ['CANARY_REGION', 'CANARY_GLOBEX', 'CANARY_TIER', '424242'];

export const SETUP_SQL = [
  'CREATE TABLE sales (customer_id VARCHAR, region VARCHAR, amount DOUBLE PRECISION, active BOOLEAN, ordered_at TIMESTAMP)',
  'CREATE TABLE accounts (customer_id VARCHAR, name VARCHAR, tier VARCHAR)',
  `INSERT INTO sales VALUES
    ('acme', 'EMEA', 100, true, '2026-01-31 23:30:00'),
    ('acme', 'EMEA', 50, false, '2026-02-01 10:00:00'),
    ('acme', 'AMER', 25, true, '2026-02-15 12:00:00'),
    ('acme', '50% off', 5, true, '2026-02-20 12:00:00'),
    ('acme', '500 off', 7, true, '2026-02-20 12:00:00'),
    ('globex', 'CANARY_REGION', 424242, true, '2026-02-10 12:00:00'),
    ('globex', 'EMEA', 424242, true, '2026-02-11 12:00:00')`,
  `INSERT INTO accounts VALUES ('acme', 'Acme Corp', 'gold'), ('globex', 'CANARY_GLOBEX', 'CANARY_TIER')`,
];

const ACME = user({ customerId: 'acme', regions: ['EMEA'], department: 'sales' });

const num = (v: unknown) => (typeof v === 'bigint' || typeof v === 'string' ? Number(v) : v);

function expectNoCanary(rows: Row[]): void {
  const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  for (const canary of CANARIES) expect(text).not.toContain(canary);
}

export function executionSuite(dialect: DialectName, execute: () => Execute): void {
  it('groups the caller\'s rows by region, with totals', async () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'eq', measures: ['revenue', 'orders', 'aov'], dimensions: ['region'], order: [{ member: 'region', direction: 'asc' }], totals: true }, ACME, dialect, OPTIONS);
    const rows = await execute()(compiled.main);
    expectNoCanary(rows);
    expect(rows.map((r) => [r['region'], num(r['revenue']), num(r['orders']), num(r['aov'])])).toEqual([
      ['50% off', 5, 1, 5],
      ['500 off', 7, 1, 7],
      ['AMER', 25, 1, 25],
      ['EMEA', 150, 2, 75],
    ]);
    const totals = await execute()(compiled.totals as GovernedSql);
    expect(totals.map((r) => [num(r['revenue']), num(r['orders'])])).toEqual([[187, 5]]);
  });

  it('keeps a LEFT JOIN left when the joined dataset has RLS', async () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'joined', measures: ['orders'], dimensions: ['account.tier'], order: [{ member: 'account.tier', direction: 'asc' }] }, ACME, dialect, OPTIONS);
    const rows = await execute()(compiled.main);
    expectNoCanary(rows);
    // All 7 rows survive (the base dataset is public); globex's account columns are hidden as NULL.
    const byTier = new Map(rows.map((r) => [r['account.tier'] ?? null, num(r['orders'])]));
    expect(byTier.get('gold')).toBe(5);
    expect(byTier.get(null)).toBe(2);
  });

  it('buckets by month in a time zone with a date range', async () => {
    const compiled = compileQuery(
      fixtureModel,
      { dataset: 'eq', measures: ['orders'], timeDimension: { member: 'ordered_at', granularity: 'month', dateRange: ['2026-01-01', '2026-02-28'] }, timezone: 'Europe/Paris' },
      ACME,
      dialect,
      OPTIONS,
    );
    const rows = await execute()(compiled.main);
    expectNoCanary(rows);
    // 2026-01-31 23:30 UTC is already February 1st in Paris.
    expect(rows.map((r) => [String(r['ordered_at.month']).slice(0, 10), num(r['orders'])])).toEqual([['2026-02-01', 5]]);
  });

  it('matches contains literally (wildcards escaped)', async () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'], filters: [{ member: 'region', operator: 'contains', values: ['0%'] }] }, ACME, dialect, OPTIONS);
    const rows = await execute()(compiled.main);
    expect(rows.map((r) => num(r['orders']))).toEqual([1]);
  });

  it('returns nothing for an empty array attribute with in', async () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'inarr', measures: ['orders'] }, user({ regions: [] }), dialect, OPTIONS);
    expect((await execute()(compiled.main)).map((r) => num(r['orders']))).toEqual([0]);
  });

  it('binds booleans, numbers and timestamps', async () => {
    const compiled = compileQuery(
      fixtureModel,
      { dataset: 'eq', measures: ['orders'], filters: [{ member: 'active', operator: 'equals', values: [true] }, { member: 'amount', operator: 'between', values: [5, 100] }, { member: 'ordered_at', operator: 'gte', values: ['2026-02-01'] }] },
      ACME,
      dialect,
      OPTIONS,
    );
    expect((await execute()(compiled.main)).map((r) => num(r['orders']))).toEqual([3]);
  });

  it('lists distinct values through RLS', async () => {
    const compiled = compileDistinctValues(fixtureModel, { dataset: 'eq', member: 'region', search: 'e' }, ACME, dialect, OPTIONS);
    const rows = await execute()(compiled.main);
    expectNoCanary(rows);
    expect(rows.map((r) => r['region'])).toEqual(['EMEA']);
  });
}
