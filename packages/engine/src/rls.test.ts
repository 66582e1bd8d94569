import { describe, expect, it } from 'vitest';
import { compileDistinctValues, compileQuery } from './pipeline.js';
import { explainAccess } from './explain.js';
import { catalogFor } from './catalog.js';
import { readPolicy, rlsPredicate } from './rls.js';
import { TRUE } from './nodes.js';
import { fixtureModel, OPTIONS, user, refusal } from '../test/fixture-model.js';

const FULL = { customerId: 'acme', regions: ['EMEA'], blockedRegions: ['AMER'], minAmount: 10, department: 'sales' } as const;

/** Every dataset whose policy (or joined dataset's policy) needs each attribute. */
const NEEDS: Array<[string, string, object]> = [
  ['eq', 'customerId', { dataset: 'eq', measures: ['orders'] }],
  ['inarr', 'regions', { dataset: 'inarr', measures: ['orders'] }],
  ['notin', 'blockedRegions', { dataset: 'notin', measures: ['orders'] }],
  ['range', 'minAmount', { dataset: 'range', measures: ['orders'] }],
  ['nested', 'customerId', { dataset: 'nested', measures: ['orders'] }],
  ['nested', 'regions', { dataset: 'nested', measures: ['orders'] }],
  ['nested (user-only condition)', 'department', { dataset: 'nested', measures: ['orders'] }],
  ['joined (through the join)', 'customerId', { dataset: 'joined', measures: ['orders'], dimensions: ['account.name'] }],
  ['accounts', 'customerId', { dataset: 'accounts', measures: ['count'] }],
];

describe('rls_attribute_missing', () => {
  it.each(NEEDS)('%s refuses without %s', (_name, attribute, query) => {
    const attributes: Record<string, unknown> = { ...FULL };
    delete attributes[attribute];
    for (const dialect of ['duckdb', 'postgres'] as const) {
      const error = refusal(() => compileQuery(fixtureModel, query, user(attributes as never), dialect, OPTIONS));
      expect(error.code).toBe('rls_attribute_missing');
      expect(error.path).toBe(`attributes.${attribute}`);
    }
  });

  it.each(NEEDS)('%s refuses when %s is null', (_name, attribute, query) => {
    const error = refusal(() => compileQuery(fixtureModel, query, user({ ...FULL, [attribute]: null } as never), 'duckdb', OPTIONS));
    expect(error.code).toBe('rls_attribute_missing');
  });

  it('distinct values and totals refuse too', () => {
    const noCustomer = user({ regions: ['EMEA'] });
    expect(refusal(() => compileDistinctValues(fixtureModel, { dataset: 'eq', member: 'region' }, noCustomer, 'duckdb', OPTIONS)).code).toBe('rls_attribute_missing');
    expect(refusal(() => compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'], totals: true }, noCustomer, 'duckdb', OPTIONS)).code).toBe('rls_attribute_missing');
  });

  it('an inherited prototype property is not an attribute', () => {
    const attributes = Object.create({ customerId: 'acme' }) as Record<string, string>;
    expect(refusal(() => compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'] }, user(attributes), 'duckdb', OPTIONS)).code).toBe('rls_attribute_missing');
  });

  it('a user without an attributes object is refused, not crashed', () => {
    const error = refusal(() => compileQuery(fixtureModel, { dataset: 'eq', measures: ['orders'] }, { distinctId: 'x', role: 'viewer' } as never, 'duckdb', OPTIONS));
    expect(error.code).toBe('rls_attribute_missing');
  });

  it('a public dataset needs no attribute', () => {
    expect(compileQuery(fixtureModel, { dataset: 'public', measures: ['orders'] }, user({}), 'duckdb', OPTIONS).main.parameters).toEqual([]);
  });
});

describe('rls_attribute_invalid', () => {
  it.each([
    ['an array where equals needs a scalar', 'eq', { customerId: ['acme', 'globex'] }, 'customerId'],
    ['a scalar where in needs an array', 'inarr', { regions: 'EMEA' }, 'regions'],
    ['a scalar where notIn needs an array', 'notin', { blockedRegions: 'AMER' }, 'blockedRegions'],
    ['an array for a user-only equals', 'nested', { customerId: 'acme', regions: [], department: ['finance'] }, 'department'],
  ])('%s', (_name, dataset, attributes, attribute) => {
    const error = refusal(() => compileQuery(fixtureModel, { dataset, measures: ['orders'] }, user(attributes as never), 'duckdb', OPTIONS));
    expect(error.code).toBe('rls_attribute_invalid');
    expect(error.path).toBe(`attributes.${attribute}`);
  });
});

describe('explainAccess', () => {
  it('binds values and decides user-only conditions', () => {
    const explanation = explainAccess(fixtureModel, user({ customerId: 'acme', regions: ['EMEA'], department: 'finance' }), 'nested');
    expect(explanation.outcome).toBe('filtered');
    expect(explanation.rowLevelSecurity).toEqual({
      id: 'nested.rls',
      kind: 'all',
      children: [
        { id: 'nested.rls.all[0]', kind: 'column', column: 'customer_id', operator: 'equals', attribute: 'customerId', value: 'acme', status: 'bound' },
        {
          id: 'nested.rls.all[1]',
          kind: 'any',
          children: [
            { id: 'nested.rls.all[1].any[0]', kind: 'column', column: 'region', operator: 'in', attribute: 'regions', value: ['EMEA'], status: 'bound' },
            { id: 'finance-sees-all', kind: 'user', attribute: 'department', operator: 'equals', value: 'finance', actual: 'finance', status: 'satisfied' },
          ],
        },
      ],
    });
  });

  it('names missing attributes, including those of joined datasets, and hidden members', () => {
    const explanation = explainAccess(fixtureModel, user({ regions: [] }), 'eq');
    expect(explanation.outcome).toBe('denied');
    expect(explanation.missingAttributes).toEqual(['customerId']);
    expect(explanation.hiddenMembers).toEqual(['margin', 'secret']);
    expect(explanation.joins['account']).toMatchObject({ joinedDataset: 'accounts', outcome: 'denied', missingAttributes: ['customerId'] });
    // A join's needs are reported on the join: the public base dataset alone stays queryable.
    const joined = explainAccess(fixtureModel, user({}), 'joined');
    expect(joined.outcome).toBe('unrestricted');
    expect(joined.joins['account']?.missingAttributes).toEqual(['customerId']);
  });

  it('reports an empty array with in as matching nothing, and none as unrestricted', () => {
    const empty = explainAccess(fixtureModel, user({ regions: [] }), 'inarr');
    expect(empty.rowLevelSecurity).toMatchObject({ status: 'matches_nothing' });
    expect(explainAccess(fixtureModel, user({}), 'public').outcome).toBe('unrestricted');
    expect(refusal(() => explainAccess(fixtureModel, user({}), 'nope')).code).toBe('unknown_dataset');
  });
});

describe('readPolicy: one walk gives the predicate, the explanation and the restriction', () => {
  const nested = fixtureModel.datasets.get('nested')!;

  it('names the column conditions that restrict a sales user, and the predicate binds the same values', () => {
    const reading = readPolicy(nested, 'nested', user({ customerId: 'acme', regions: ['EMEA'], department: 'sales' }));
    expect(reading.refusal).toBeUndefined();
    expect(reading.restriction).toEqual({
      kind: 'all',
      children: [
        { kind: 'column', column: 'customer_id', operator: 'equals', value: 'acme' },
        { kind: 'any', children: [{ kind: 'column', column: 'region', operator: 'in', value: ['EMEA'] }] },
      ],
    });
    expect(JSON.stringify(reading.predicate)).toContain('"acme"');
    expect(JSON.stringify(reading.predicate)).toContain('"EMEA"');
    expect(reading.policyIds).toEqual(['nested.rls', 'nested.rls.all[0]', 'nested.rls.all[1]', 'nested.rls.all[1].any[0]', 'finance-sees-all']);
  });

  it('drops an any that a satisfied user condition opens, from the restriction as from the predicate', () => {
    const reading = readPolicy(nested, 'nested', user({ customerId: 'globex', regions: ['EMEA'], department: 'finance' }));
    expect(reading.restriction).toEqual({ kind: 'all', children: [{ kind: 'column', column: 'customer_id', operator: 'equals', value: 'globex' }] });
    expect(JSON.stringify(reading.predicate)).not.toContain('EMEA');
  });

  it('records the first refusal and keeps walking, so the explanation names every failing attribute; rlsPredicate throws that refusal', () => {
    const refused = user({ department: 'sales' });
    const reading = readPolicy(nested, 'nested', refused);
    expect(reading.predicate).toBeUndefined();
    expect(reading.refusal?.code).toBe('rls_attribute_missing');
    expect(reading.refusal?.path).toBe('attributes.customerId');
    expect([...reading.missingAttributes].sort()).toEqual(['customerId', 'regions']);
    const thrown = refusal(() => rlsPredicate(nested, 'nested', refused));
    expect(thrown.code).toBe('rls_attribute_missing');
    expect(thrown.path).toBe('attributes.customerId');
  });

  it('gives TRUE, no ids and no restriction for a dataset without row-level security', () => {
    const reading = readPolicy(fixtureModel.datasets.get('public')!, 'public', user({}));
    expect(reading.predicate).toBe(TRUE);
    expect(reading.policyIds).toEqual([]);
    expect(reading.explanation).toBe('none');
    expect(reading.restriction).toBeUndefined();
  });
});

describe('catalogFor', () => {
  it('omits hidden members and lists joined dimensions with synonyms', () => {
    const viewer = catalogFor(fixtureModel, user({ department: 'sales' })).datasets.find((d) => d.name === 'eq');
    const names = viewer?.members.map((m) => m.name) ?? [];
    expect(names).not.toContain('margin');
    expect(names).not.toContain('secret');
    expect(names).toEqual(expect.arrayContaining(['region', 'revenue', 'account.tier']));
    expect(viewer?.members.find((m) => m.name === 'revenue')?.synonyms).toEqual(['sales', 'turnover']);

    const admin = catalogFor(fixtureModel, user({ department: 'finance' }, 'admin')).datasets.find((d) => d.name === 'eq');
    expect(admin?.members.map((m) => m.name)).toEqual(expect.arrayContaining(['margin', 'secret']));
  });
});
