import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileQuery } from '../pipeline.js';
import { explainAccess } from '../explain.js';
import { parseModel } from './parse.js';
import { ModelValidationError } from './model-error.js';
import { scalarFitsColumn, withColumnTypes } from './column-types.js';
import { fixtureModel, OPTIONS, user, refusal } from '../../test/fixture-model.js';

const FULL = { customerId: 'acme', regions: ['EMEA'], blockedRegions: ['AMER'], minAmount: 10, department: 'sales' };

describe('an attribute must fit its policy column type', () => {
  const CASES: Array<[string, string, unknown, object]> = [
    ['a number against a text tenant column', 'customerId', 42, { dataset: 'eq', measures: ['orders'] }],
    ['a boolean against a text tenant column', 'customerId', true, { dataset: 'eq', measures: ['orders'] }],
    ['a number inside a text list', 'regions', ['EMEA', 7], { dataset: 'inarr', measures: ['orders'] }],
    ['a numeric string against a number column', 'minAmount', '10', { dataset: 'range', measures: ['orders'] }],
    ['a number through a join', 'customerId', 42, { dataset: 'joined', measures: ['orders'], dimensions: ['account.name'] }],
  ];
  it.each(CASES)('%s is rls_attribute_invalid with its path, on both dialects', (_name, attribute, value, query) => {
    for (const dialect of ['duckdb', 'postgres'] as const) {
      const error = refusal(() => compileQuery(fixtureModel, query, user({ ...FULL, [attribute]: value } as never), dialect, OPTIONS));
      expect(error.code).toBe('rls_attribute_invalid');
      expect(error.path).toBe(`attributes.${attribute}`);
    }
  });

  it('binds a fitting value as it is: the string "42" stays a string parameter, never a number', () => {
    const compiled = compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'] }, user({ ...FULL, customerId: '42' }), 'duckdb', OPTIONS);
    expect(compiled.main.parameters).toContain('42');
    expect(compiled.main.parameters).not.toContain(42);
  });

  it('explains a misfit as attribute_invalid, as the query pipeline refuses it', () => {
    const explained = explainAccess(fixtureModel, user({ ...FULL, customerId: 42 } as never), 'eq');
    expect(explained.outcome).toBe('denied');
    expect(explained.invalidAttributes).toEqual(['customerId']);
  });

  it('never lets a string meet a number column or a number meet a text column (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean()), (value) => {
        expect(scalarFitsColumn(value, 'string')).toBe(typeof value === 'string');
        expect(scalarFitsColumn(value, 'number')).toBe(typeof value === 'number' && Number.isFinite(value));
        expect(scalarFitsColumn(value, 'boolean')).toBe(typeof value === 'boolean');
      }),
    );
  });
});

describe('policy column types', () => {
  const YAML = `
datasets:
  orders:
    source: { table: orders }
    dimensions: { region: { column: region } }
    measures: { n: { count: "*" } }
    rowLevelSecurity:
      all:
        - { column: tenant_id, equals: { attribute: tenantId } }
        - { column: region, notEquals: { value: hidden } }
`;
  const parsed = parseModel([{ file: 'orders.yaml', text: YAML }]);

  it('fails closed while a policy column has no known type', () => {
    const error = refusal(() => compileQuery(parsed, { dataset: 'orders', measures: ['n'] }, user({ tenantId: 't' }), 'duckdb', OPTIONS));
    expect(error.code).toBe('internal_error');
  });

  it('takes types from the catalog, then binds', () => {
    const typed = withColumnTypes(parsed, new Map([['orders', new Map([['tenant_id', 'string'], ['region', 'string']] as const)]]));
    const compiled = compileQuery(typed, { dataset: 'orders', measures: ['n'] }, user({ tenantId: 't' }), 'postgres', OPTIONS);
    expect(compiled.main.parameters).toEqual(['t', 'hidden']);
  });

  it('refuses a missing column, a type that disagrees with a dimension, and a literal that does not fit, with file and path', () => {
    let caught: unknown;
    try {
      withColumnTypes(parsed, new Map([['orders', new Map([['region', 'number']] as const)]]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ModelValidationError);
    expect((caught as ModelValidationError).issues).toEqual([
      { file: 'orders.yaml', path: 'datasets.orders.rowLevelSecurity.all[0].column', message: 'column "tenant_id" does not exist in table "orders"' },
      { file: 'orders.yaml', path: 'datasets.orders.rowLevelSecurity.all[1].column', message: 'column "region" is number in the warehouse, but a dimension over it declares string' },
      { file: 'orders.yaml', path: 'datasets.orders.rowLevelSecurity.all[1].notEquals.value', message: `"hidden" does not fit the column's type (number); values are compared in the column's type, never cast` },
    ]);
  });

  it('refuses at parse time a model literal that does not fit the declared dimension type', () => {
    const text = YAML.replace('{ region: { column: region } }', '{ region: { column: region, type: number } }');
    expect(() => parseModel([{ file: 'orders.yaml', text }])).toThrow(ModelValidationError);
  });
});
