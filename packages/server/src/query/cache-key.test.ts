import { describe, expect, it } from 'vitest';
import { loadModel, compileQuery } from '@perch/engine';
import { MAX_PLAIN_KEY_LENGTH, resultCacheKey } from './cache-key.js';

const model = await loadModel(new URL('../../../../model/', import.meta.url).pathname);
const query = { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] };
const user = (customerId: unknown, department = 'sales') => ({ distinctId: 'u', role: 'explorer' as const, attributes: { customerId, department } as Record<string, string> });

describe('resultCacheKey', () => {
  it('differs for users whose attributes differ, even when the SQL text is identical', () => {
    const acme = compileQuery(model, query, user('acme'), 'duckdb', { maxLimit: 100 }).main;
    const globex = compileQuery(model, query, user('globex'), 'duckdb', { maxLimit: 100 }).main;
    expect(acme.sql).toBe(globex.sql);
    expect(resultCacheKey(acme, 100)).not.toBe(resultCacheKey(globex, 100));
  });

  it('is equal for the same SQL and parameters, and differs by dialect, row cap and parameter type', () => {
    const a = compileQuery(model, query, user('acme'), 'duckdb', { maxLimit: 100 }).main;
    const b = compileQuery(model, query, user('acme'), 'duckdb', { maxLimit: 100 }).main;
    const pg = compileQuery(model, query, user('acme'), 'postgres', { maxLimit: 100 }).main;
    expect(resultCacheKey(a, 100)).toBe(resultCacheKey(b, 100));
    expect(resultCacheKey(a, 100)).not.toBe(resultCacheKey(pg, 100));
    expect(resultCacheKey(a, 100)).not.toBe(resultCacheKey(a, 101));
    const asText = { ...a, parameters: a.parameters.map(() => '1') } as typeof a;
    const asNumber = { ...a, parameters: a.parameters.map(() => 1) } as typeof a;
    expect(resultCacheKey(asText, 100)).not.toBe(resultCacheKey(asNumber, 100));
  });

  it('keeps a long key (a big IN list) as a fixed-size digest, still distinct per value', () => {
    const a = compileQuery(model, query, user('acme'), 'duckdb', { maxLimit: 100 }).main;
    const longList = (last: string) => ({ ...a, parameters: [...a.parameters, Array.from({ length: 400 }, (_, i) => `value-${i}`).concat(last)] }) as unknown as typeof a;
    const one = resultCacheKey(longList('x'), 100);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(resultCacheKey(longList('x'), 100)).toBe(one);
    expect(resultCacheKey(longList('y'), 100)).not.toBe(one);
    expect(resultCacheKey(a, 100).length).toBeLessThanOrEqual(MAX_PLAIN_KEY_LENGTH);
    expect(resultCacheKey(a, 100).startsWith('[')).toBe(true);
  });
});
