/**
 * The result-cache key and the compile memo keep tenant routes apart: a database route is not in
 * the SQL text, so the key must carry it; the memo's key holds the whole user, route attribute
 * included.
 */
import { describe, expect, it } from 'vitest';
import { compileQuery, parseModel } from '@perch/engine';
import { resultCacheKey } from './cache-key.js';
import { CompileMemo } from './compile-memo.js';

const model = parseModel([
  {
    file: 'routes.yaml',
    text: `
datasets:
  by_db:
    source:
      table: orders
      database: { attribute: tenant, pattern: "^t_[a-z]+$", reference: t_template }
    dimensions: { region: { column: region } }
    rowLevelSecurity: none
  by_schema:
    source:
      table: orders
      schema: { attribute: tenant, pattern: "^t_[a-z]+$", reference: t_template }
    dimensions: { region: { column: region } }
    rowLevelSecurity: none
`,
  },
]);
const user = (tenant: string) => Object.freeze({ distinctId: 'same-user', role: 'explorer' as const, attributes: Object.freeze({ tenant }) });
const OPTIONS = { maxLimit: 100 };

describe('tenant routes in cache keys', () => {
  it('gives two database routes different keys although their SQL and parameters are identical', () => {
    const a = compileQuery(model, { dataset: 'by_db', dimensions: ['region'] }, user('t_alpha'), 'postgres', OPTIONS).main;
    const b = compileQuery(model, { dataset: 'by_db', dimensions: ['region'] }, user('t_bravo'), 'postgres', OPTIONS).main;
    expect(a.sql).toBe(b.sql);
    expect(a.parameters).toEqual(b.parameters);
    expect(resultCacheKey(a, 100)).not.toBe(resultCacheKey(b, 100));
    expect(resultCacheKey(a, 100)).toContain('"database","t_alpha"');
  });

  it('gives two schema routes different keys, and a schema route a key different from a database route of the same name', () => {
    const schema = compileQuery(model, { dataset: 'by_schema', dimensions: ['region'] }, user('t_alpha'), 'postgres', OPTIONS).main;
    const other = compileQuery(model, { dataset: 'by_schema', dimensions: ['region'] }, user('t_bravo'), 'postgres', OPTIONS).main;
    const database = compileQuery(model, { dataset: 'by_db', dimensions: ['region'] }, user('t_alpha'), 'postgres', OPTIONS).main;
    expect(new Set([resultCacheKey(schema, 100), resultCacheKey(other, 100), resultCacheKey(database, 100)]).size).toBe(3);
  });

  it('the compile memo hands each tenant its own route, never the other tenant’s remembered compile', () => {
    const memo = new CompileMemo(10);
    const query = { dataset: 'by_db', dimensions: ['region'] };
    const compile = (tenant: string) => memo.compile(query, user(tenant), () => compileQuery(model, query, user(tenant), 'postgres', OPTIONS));
    expect(compile('t_alpha').compiled.main.route).toEqual({ database: 't_alpha' });
    const bravo = compile('t_bravo');
    expect(bravo.remembered).toBe(false);
    expect(bravo.compiled.main.route).toEqual({ database: 't_bravo' });
    const again = compile('t_alpha');
    expect(again.remembered).toBe(true);
    expect(again.compiled.main.route).toEqual({ database: 't_alpha' });
  });
});
