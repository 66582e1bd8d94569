import { describe, expect, it } from 'vitest';
import { PerchError, type ErrorCode } from '@perch/protocol';
import { compileDistinctValues, compileQuery } from './pipeline.js';
import { ACME, fixtureModel, OPTIONS, user } from '../test/fixture-model.js';

function nested(depth: number): unknown {
  let filter: unknown = { member: 'region', operator: 'equals', values: ['EMEA'] };
  for (let i = 1; i < depth; i++) filter = { and: [filter] };
  return filter;
}

function refusal(run: () => unknown): PerchError {
  try {
    run();
  } catch (error) {
    if (error instanceof PerchError) return error;
    throw new Error(`expected a PerchError, got ${String(error)}`);
  }
  throw new Error('expected the query to be refused');
}

const base = { dataset: 'eq', measures: ['revenue'] };
const leaf = (values: unknown[], operator = 'equals', member = 'region') => ({ ...base, filters: [{ member, operator, values }] });

const CASES: Array<[string, unknown, ErrorCode, string]> = [
  ['unknown dataset', { dataset: 'nope', measures: ['orders'] }, 'unknown_dataset', 'dataset'],
  ['SQL in the dataset name', { dataset: 'eq; drop table sales', measures: ['orders'] }, 'unknown_member', 'dataset'],
  ['unknown measure', { dataset: 'eq', measures: ['revenue', 'nope'] }, 'unknown_member', 'measures[1]'],
  ['unknown dimension', { dataset: 'eq', measures: ['revenue'], dimensions: ['nope'] }, 'unknown_member', 'dimensions[0]'],
  ['a dimension asked for as a measure', { dataset: 'eq', measures: ['region'] }, 'unknown_member', 'measures[0]'],
  ['SQL fragment as a member', { dataset: 'eq', measures: ['sum(amount)'] }, 'unknown_member', 'measures[0]'],
  ['SQL fragment as a dimension', { dataset: 'eq', measures: ['revenue'], dimensions: ['region, password'] }, 'unknown_member', 'dimensions[0]'],
  ['quoted identifier as a member', { dataset: 'eq', measures: ['"revenue"'] }, 'unknown_member', 'measures[0]'],
  ['__proto__ as a member', { dataset: 'eq', measures: ['__proto__'] }, 'unknown_member', 'measures[0]'],
  ['constructor as a dimension', { dataset: 'eq', measures: ['revenue'], dimensions: ['constructor'] }, 'unknown_member', 'dimensions[0]'],
  ['__proto__ as a dataset', { dataset: '__proto__', measures: ['orders'] }, 'unknown_dataset', 'dataset'],
  ['a measure of a joined dataset', { dataset: 'eq', measures: ['account.count'] }, 'unknown_member', 'measures[0]'],
  ['unknown join', { dataset: 'eq', measures: ['revenue'], dimensions: ['nope.name'] }, 'unknown_member', 'dimensions[0]'],
  ['SQL fragment in order', { dataset: 'eq', measures: ['revenue'], order: [{ member: 'revenue desc, 1', direction: 'asc' }] }, 'unknown_member', 'order[0].member'],
  ['order by a member that is not selected', { dataset: 'eq', measures: ['revenue'], order: [{ member: 'orders', direction: 'asc' }] }, 'invalid_request', 'order[0].member'],
  ['bad order direction', { dataset: 'eq', measures: ['revenue'], order: [{ member: 'revenue', direction: 'sideways' }] }, 'invalid_request', 'order[0].direction'],
  ['SQL fragment as a filter member', { ...base, filters: [{ member: "region = 'x' OR 1=1 --", operator: 'equals', values: ['a'] }] }, 'unknown_member', 'filters[0].member'],
  ['unknown filter member deep in a group', { ...base, filters: [{ or: [{ member: 'region', operator: 'set' }, { member: 'nope', operator: 'set' }] }] }, 'unknown_member', 'filters[0].or[1].member'],
  ['unknown operator', leaf(['a'], 'like'), 'unknown_operator', 'filters[0].operator'],
  ['unknown operator nested', { ...base, filters: [{ and: [{ member: 'region', operator: 'regex', values: ['a'] }] }] }, 'unknown_operator', 'filters[0].and[0].operator'],
  ['number for a string member', leaf([1]), 'invalid_filter_value', 'filters[0].values[0]'],
  ['string for a number member', leaf(['10'], 'gt', 'amount'), 'invalid_filter_value', 'filters[0].values[0]'],
  ['string for a boolean member', leaf(['true'], 'equals', 'active'), 'invalid_filter_value', 'filters[0].values[0]'],
  ['non-date for a time member', leaf(['yesterday-ish'], 'gte', 'ordered_at'), 'invalid_filter_value', 'filters[0].values[0]'],
  ['impossible date for a time member', leaf(['2026-02-30'], 'gte', 'ordered_at'), 'invalid_filter_value', 'filters[0].values[0]'],
  ['equals with two values', leaf(['a', 'b']), 'invalid_filter_value', 'filters[0].values'],
  ['in with no values', leaf([], 'in'), 'invalid_filter_value', 'filters[0].values'],
  ['between with one value', leaf([1], 'between', 'amount'), 'invalid_filter_value', 'filters[0].values'],
  ['set with a value', leaf(['x'], 'set'), 'invalid_filter_value', 'filters[0].values'],
  ['contains on a number member', leaf([1], 'contains', 'amount'), 'invalid_filter_value', 'filters[0].operator'],
  ['object as a filter value', leaf([{ sql: '1=1' }]), 'invalid_filter_value', 'filters[0].values[0]'],
  ['negative limit', { ...base, limit: -1 }, 'invalid_limit', 'limit'],
  ['absurd limit', { ...base, limit: 1_000_000_000 }, 'invalid_limit', 'limit'],
  ['fractional limit', { ...base, limit: 1.5 }, 'invalid_type', 'limit'],
  ['negative offset', { ...base, offset: -5 }, 'invalid_request', 'offset'],
  ['filters nested 9 deep', { ...base, filters: [nested(9)] }, 'filter_too_deep', 'filters[0].and[0].and[0].and[0].and[0].and[0].and[0].and[0].and[0]'],
  ['101 filter leaves', { ...base, filters: [{ and: Array.from({ length: 101 }, () => ({ member: 'region', operator: 'set' })) }] }, 'too_many_filters', 'filters[0].and[100]'],
  ['unknown granularity', { ...base, timeDimension: { member: 'ordered_at', granularity: 'fortnight' } }, 'unknown_granularity', 'timeDimension.granularity'],
  ['time dimension that is not a time', { ...base, timeDimension: { member: 'region', granularity: 'day' } }, 'unknown_member', 'timeDimension.member'],
  ['unknown relative date range', { ...base, timeDimension: { member: 'ordered_at', dateRange: 'since the dawn of time' } }, 'invalid_date_range', 'timeDimension.dateRange'],
  ['reversed explicit date range', { ...base, timeDimension: { member: 'ordered_at', dateRange: ['2026-02-01', '2026-01-01'] } }, 'invalid_date_range', 'timeDimension.dateRange'],
  ['malformed explicit date', { ...base, timeDimension: { member: 'ordered_at', dateRange: ['2026-13-01', '2026-12-31'] } }, 'invalid_date_range', 'timeDimension.dateRange[0]'],
  ['unknown time zone', { ...base, timezone: 'Mars/Olympus_Mons' }, 'invalid_request', 'timezone'],
  ['unknown top-level key', { ...base, sql: 'select 1' }, 'unknown_field', 'sql'],
  ['__proto__ as a query key', JSON.parse('{"dataset":"eq","measures":["revenue"],"__proto__":{"x":1}}'), 'forbidden_key', '__proto__'],
  ['not an object', 'select * from sales', 'invalid_type', ''],
  ['a filter group mixing a measure and a dimension', { ...base, filters: [{ or: [{ member: 'revenue', operator: 'gt', values: [1] }, { member: 'region', operator: 'set' }] }] }, 'invalid_request', 'filters[0]'],
  ['a role-restricted measure', { dataset: 'eq', measures: ['margin'] }, 'member_forbidden', 'measures[0]'],
  ['an attribute-restricted measure in a filter', { ...base, filters: [{ member: 'secret', operator: 'gt', values: [1] }] }, 'member_forbidden', 'filters[0].member'],
];

describe('bad input is refused with an exact code and path', () => {
  it.each(CASES)('%s', (_name, query, code, path) => {
    const error = refusal(() => compileQuery(fixtureModel, query, ACME, 'duckdb', OPTIONS));
    expect(error.code).toBe(code);
    expect(error.path ?? '').toBe(path);
    // No SQL text in client-facing messages.
    expect(error.message).not.toMatch(/SELECT|FROM "/);
  });

  it('a maker may use the role-restricted measure', () => {
    expect(compileQuery(fixtureModel, { dataset: 'eq', measures: ['margin'] }, { ...ACME, role: 'maker' }, 'duckdb', OPTIONS).main.sql).toContain('* 0.3');
  });

  it('a finance user may use the attribute-restricted measure', () => {
    const finance = user({ customerId: 'acme', department: 'finance' });
    expect(compileQuery(fixtureModel, { dataset: 'eq', measures: ['secret'] }, finance, 'postgres', OPTIONS).main.sql).toContain('MAX("eq"."amount")');
  });

  it.each([
    ['unknown member', { dataset: 'eq', member: 'nope' }, 'unknown_member', 'member'],
    ['a measure', { dataset: 'eq', member: 'revenue' }, 'unknown_member', 'member'],
    ['unknown dataset', { dataset: 'nope', member: 'region' }, 'unknown_dataset', 'dataset'],
    ['search on a number member', { dataset: 'eq', member: 'amount', search: '1' }, 'invalid_filter_value', 'search'],
    ['negative limit', { dataset: 'eq', member: 'region', limit: -1 }, 'invalid_limit', 'limit'],
  ] as const)('distinct values: %s', (_name, request, code, path) => {
    const error = refusal(() => compileDistinctValues(fixtureModel, request, ACME, 'duckdb', OPTIONS));
    expect(error.code).toBe(code);
    expect(error.path).toBe(path);
  });
});
