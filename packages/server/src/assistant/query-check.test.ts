import { describe, expect, it } from 'vitest';
import { checkPlannedQuery } from './query-check.js';
import { demoCatalog, visibleValueLookup } from '../../test/assistant/planner-fixtures.js';

describe('checkPlannedQuery', () => {
  it.each([
    [{ dataset: 'orders', measures: ['revenue'], sql: 'select 1' }, 'not valid'],
    [{ dataset: 'secrets', measures: ['revenue'] }, 'dataset must be one of'],
    [{ dataset: 'orders', measures: ['margin'] }, 'not a member'],
    [{ dataset: 'orders', measures: ['region'] }, 'not a measure'],
    [{ dataset: 'orders', measures: ['revenue'], filters: [{ or: [{ member: 'customer_id', operator: 'equals', values: ['globex'] }] }] }, 'not one of the values'],
    [{ dataset: 'orders', measures: ['revenue'], dimensions: ['customer.name; drop table'] }, 'not valid'],
  ])('refuses %j', async (candidate, problem) => {
    const check = await checkPlannedQuery(candidate, await demoCatalog(), visibleValueLookup().lookupValues);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toContain(problem);
  });

  it('accepts a query over visible members and values', async () => {
    const check = await checkPlannedQuery({ dataset: 'orders', measures: ['revenue'], filters: [{ member: 'status', operator: 'in', values: ['refunded', 'pending'] }] }, await demoCatalog(), visibleValueLookup().lookupValues);
    expect(check.ok).toBe(true);
  });
});
