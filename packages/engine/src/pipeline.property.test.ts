import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileQuery } from './pipeline.js';
import { fixtureModel, OPTIONS, user } from '../test/fixture-model.js';

/**
 * For random valid queries and random attribute values, no value text ever appears in the SQL
 * (all values are parameters), and every RLS predicate of the dataset and its joins is present.
 * Values are prefixed with a marker that cannot occur in generated SQL, so a substring check is exact.
 */
const MARK = 'Zq';
const text = fc.string({ minLength: 1, maxLength: 12 }).map((s) => `${MARK}${s}`);
const num = fc.integer({ min: 100_000, max: 999_999 }).map((n) => n * 7 + 0.5);

const stringLeaf = fc.record({
  member: fc.constantFrom('region', 'customer', 'account.name', 'account.tier'),
  operator: fc.constantFrom('equals', 'notEquals', 'in', 'notIn', 'contains'),
  values: fc.array(text, { minLength: 1, maxLength: 3 }),
}).map((f) => (['equals', 'notEquals'].includes(f.operator) ? { ...f, values: f.values.slice(0, 1) } : f));
const numberLeaf = fc.record({
  member: fc.constant('amount'),
  operator: fc.constantFrom('gt', 'gte', 'lt', 'lte', 'between'),
  values: fc.array(num, { minLength: 2, maxLength: 2 }),
}).map((f) => (f.operator === 'between' ? f : { ...f, values: f.values.slice(0, 1) }));
const nullLeaf = fc.record({ member: fc.constantFrom('region', 'amount'), operator: fc.constantFrom('set', 'notSet') });
const leaf = fc.oneof(stringLeaf, numberLeaf, nullLeaf);
const filter = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 4 }, leaf, fc.record({ and: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) }), fc.record({ or: fc.array(tie('node'), { minLength: 1, maxLength: 3 }) })),
})).node;

const query = fc.record({
  dataset: fc.constant('eq'),
  measures: fc.subarray(['revenue', 'orders', 'aov']),
  dimensions: fc.subarray(['region', 'customer', 'account.tier']),
  filters: fc.array(filter, { maxLength: 3 }),
  totals: fc.boolean(),
  timezone: fc.constantFrom('UTC', 'Europe/Paris', 'Asia/Kolkata'),
}).filter((q) => q.measures.length + q.dimensions.length > 0);

const attributes = fc.record({ customerId: text, regions: fc.array(text, { maxLength: 4 }), department: text });

describe('property: values never reach SQL text', () => {
  it.each(['duckdb', 'postgres'] as const)('%s', (dialect) => {
    fc.assert(
      fc.property(query, attributes, (q, attrs) => {
        const compiled = compileQuery(fixtureModel, q, user(attrs), dialect, OPTIONS);
        for (const sql of [compiled.main, compiled.totals].filter((s) => s !== undefined)) {
          expect(sql.sql).not.toContain(MARK);
          expect(sql.sql).not.toMatch(/\d{6}/); // no numeric filter value either
          // The base policy is always there, bound to this user's customerId.
          expect(sql.sql).toContain('"eq"."customer_id" = $');
          expect(sql.parameters).toContain(attrs.customerId);
          expect(sql.policiesApplied).toContain('eq.rls');
          // A joined dataset's policy comes with every use of the join.
          if (sql.sql.includes('LEFT JOIN')) {
            expect(sql.sql).toContain('"account"."customer_id" = $');
            expect(sql.policiesApplied).toContain('accounts.rls');
          }
          // Every placeholder has a parameter and vice versa.
          const placeholders = new Set([...sql.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
          expect(placeholders.size).toBe(sql.parameters.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});
