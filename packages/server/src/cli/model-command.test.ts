import { describe, expect, it } from 'vitest';
import { loadModel, parseModel } from '@perch/engine';
import { describeAttributes } from './model-command.js';

describe('perch model attributes', () => {
  it('lists, per dataset of the demo model, the attributes its policy needs and their JSON types', async () => {
    const model = await loadModel(new URL('../../../../model/', import.meta.url).pathname);
    expect(describeAttributes(model)).toEqual([
      {
        dataset: 'orders',
        rowLevelSecurity: 'policy',
        attributes: [
          { name: 'customerId', json: 'string', compares: ['column customer_id'] },
          { name: 'department', json: 'string', compares: ['column department', 'one of "finance", "operations"'] },
        ],
        joins: ['customers', 'products'],
      },
      { dataset: 'customers', rowLevelSecurity: 'policy', attributes: [{ name: 'customerId', json: 'string', compares: ['column customer_id'] }], joins: [] },
      { dataset: 'products', rowLevelSecurity: 'none', attributes: [], joins: [] },
    ]);
  });

  it('says when a column type is known only once the warehouse is read, and marks lists', () => {
    const model = parseModel([
      {
        file: 'm.yaml',
        text: `
datasets:
  t:
    source: { table: t }
    dimensions: { level: { column: level, type: number } }
    measures: { n: { count: "*" } }
    rowLevelSecurity:
      all:
        - { column: tenant, in: { attribute: tenants } }
        - { column: level, lte: { attribute: maxLevel } }
`,
      },
    ]);
    expect(describeAttributes(model)[0]!.attributes).toEqual([
      { name: 'tenants', json: 'array of typed from the warehouse at startup', compares: ['column tenant'] },
      { name: 'maxLevel', json: 'number', compares: ['column level'] },
    ]);
  });
});
