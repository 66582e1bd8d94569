import { describe, expect, it } from 'vitest';
import { SemanticQuerySchema } from '@perch/protocol';
import { appliedFilters } from './applied-filters.js';
import { demoModel } from '../../test/assistant/planner-fixtures.js';

describe('appliedFilters', () => {
  const query = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['revenue'], dimensions: ['customer.segment'] });

  it("names the user's own tenant and department for a department-bound user", async () => {
    const text = appliedFilters(await demoModel(), { distinctId: 'a', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } }, query);
    expect(text).toBe('Showing only data where Customer ID is acme and Department is sales.');
  });

  it('leaves out the department for finance, who see every department of their tenant', async () => {
    const text = appliedFilters(await demoModel(), { distinctId: 'b', role: 'explorer', attributes: { customerId: 'globex', department: 'finance' } }, query);
    expect(text).toBe('Showing only data where Customer ID is globex.');
    expect(text).not.toMatch(/customer_id|tenant_id/);
  });

  it('says when no restriction applies', async () => {
    const text = appliedFilters(await demoModel(), { distinctId: 'c', role: 'explorer', attributes: {} }, SemanticQuerySchema.parse({ dataset: 'products', measures: ['count'] }));
    expect(text).toBe('No row-level restriction applies to this data.');
  });
});
