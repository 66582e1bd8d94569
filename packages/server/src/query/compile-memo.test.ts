import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isPerchError, type EmbedUser } from '@perch/protocol';
import { compileQuery, loadModel, type CompiledQuery, type Model } from '@perch/engine';
import { CompileMemo, exactJson } from './compile-memo.js';

const MODEL_DIR = join(import.meta.dirname, '../../../../model');
const OPTIONS = { maxLimit: 50_000, defaultLimit: 1_000 };
const QUERY = { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] };
const acme: EmbedUser = { distinctId: 'u-acme', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } };
const globex: EmbedUser = { distinctId: 'u-globex', role: 'explorer', attributes: { customerId: 'globex', department: 'finance' } };

let model: Model;
beforeAll(async () => {
  model = await loadModel(MODEL_DIR);
});

/** The memo around the real engine, counting how often it actually compiled. */
function counted(memo: CompileMemo, now = new Date('2026-06-15T12:00:00Z')) {
  let compiles = 0;
  const compile = (query: unknown, user: EmbedUser): CompiledQuery => {
    const before = compiles;
    const { compiled, remembered } = memo.compile(query, user, () => {
      compiles += 1;
      return compileQuery(model, query, user, 'duckdb', { ...OPTIONS, now });
    });
    // `remembered` says exactly whether this call skipped compiling (what the metrics count).
    expect(remembered).toBe(compiles === before);
    return compiled;
  };
  return { compile, compiles: () => compiles };
}

function refusalCode(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isPerchError(error) ? error.code : 'not a PerchError';
  }
  return undefined;
}

describe('CompileMemo', () => {
  it('compiles a (user, query) pair once and hands the same frozen result back', () => {
    const { compile, compiles } = counted(new CompileMemo());
    const first = compile(QUERY, acme);
    const again = compile(JSON.parse(JSON.stringify(QUERY)), JSON.parse(JSON.stringify(acme)) as EmbedUser);
    expect(again).toBe(first);
    expect(compiles()).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('never hands one tenant the SQL compiled for another', () => {
    const { compile, compiles } = counted(new CompileMemo());
    const forAcme = compile(QUERY, acme);
    const forGlobex = compile(QUERY, globex);
    expect(compiles()).toBe(2);
    expect(forAcme.main.parameters).toContain('acme');
    expect(forAcme.main.parameters).not.toContain('globex');
    expect(forGlobex.main.parameters).toContain('globex');
    expect(forGlobex.main.parameters).not.toContain('acme');
  });

  it('keys on every part of the user: distinctId, role and each attribute', () => {
    const { compile, compiles } = counted(new CompileMemo());
    compile(QUERY, acme);
    compile(QUERY, { ...acme, distinctId: 'someone-else' });
    compile(QUERY, { ...acme, role: 'admin' });
    const sales = compile(QUERY, { ...acme, attributes: { customerId: 'acme', department: 'sales' } });
    expect(compiles()).toBe(4);
    // The department policy only binds the department for departments other than finance.
    expect(sales.main.parameters).toContain('sales');
  });

  it('reads a mutable user every time, and a frozen one (as verified claims are) once', () => {
    const { compile, compiles } = counted(new CompileMemo());
    const mutable: EmbedUser = { distinctId: 'm', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } };
    const first = compile(QUERY, mutable);
    (mutable.attributes as Record<string, string>)['customerId'] = 'globex';
    const changed = compile(QUERY, mutable);
    expect(compiles()).toBe(2);
    expect(first.main.parameters).toContain('acme');
    expect(changed.main.parameters).toContain('globex');
    expect(changed.main.parameters).not.toContain('acme');
    const frozen = Object.freeze({ ...acme, attributes: Object.freeze({ ...acme.attributes }) });
    expect(compile(QUERY, frozen)).toBe(compile(QUERY, frozen));
    expect(compile(QUERY, frozen).main.parameters).toContain('acme');
  });

  it('decides a refusal again every time, even after the same query compiled for a full user', () => {
    const { compile, compiles } = counted(new CompileMemo());
    compile(QUERY, acme);
    const partial: EmbedUser = { ...acme, attributes: { department: 'finance' } };
    expect(refusalCode(() => compile(QUERY, partial))).toBe('rls_attribute_missing');
    expect(refusalCode(() => compile(QUERY, partial))).toBe('rls_attribute_missing');
    expect(compiles()).toBe(3);
  });

  it('does not keep a query whose relative date range depends on the clock', () => {
    const memo = new CompileMemo();
    const relative = { ...QUERY, timeDimension: { member: 'ordered_at', granularity: 'day', dateRange: 'last 7 days' } };
    const june = counted(memo, new Date('2026-06-15T12:00:00Z')).compile(relative, acme);
    const july = counted(memo, new Date('2026-07-15T12:00:00Z')).compile(relative, acme);
    expect(july.main.parameters).not.toEqual(june.main.parameters);
    expect(memo.size).toBe(0);
  });

  it('keeps a query with an explicit date range', () => {
    const { compile, compiles } = counted(new CompileMemo());
    const explicit = { ...QUERY, timeDimension: { member: 'ordered_at', granularity: 'day', dateRange: ['2026-01-01', '2026-01-31'] } };
    expect(compile(explicit, acme)).toBe(compile(explicit, acme));
    expect(compiles()).toBe(1);
  });

  it('compiles every time when the user or the query is not exact JSON', () => {
    const { compile, compiles } = counted(new CompileMemo());
    const inherited = Object.create({ customerId: 'acme' }) as Record<string, string>;
    inherited['department'] = 'finance';
    expect(refusalCode(() => compile(QUERY, { ...acme, attributes: inherited }))).toBe('rls_attribute_missing');
    compile({ ...QUERY, limit: undefined }, acme);
    compile({ ...QUERY, limit: undefined }, acme);
    expect(compiles()).toBe(3);
  });

  it('is bounded, and 0 entries turns it off', () => {
    const bounded = counted(new CompileMemo(2));
    for (const customerId of ['a', 'b', 'c']) bounded.compile(QUERY, { ...acme, attributes: { customerId, department: 'finance' } });
    expect(bounded.compiles()).toBe(3);
    const off = new CompileMemo(0);
    const unmemoised = counted(off);
    unmemoised.compile(QUERY, acme);
    unmemoised.compile(QUERY, acme);
    expect(unmemoised.compiles()).toBe(2);
    expect(off.size).toBe(0);
  });
});

function containsNegativeZero(value: unknown): boolean {
  if (Object.is(value, -0)) return true;
  return typeof value === 'object' && value !== null && Object.values(value).some(containsNegativeZero);
}

describe('exactJson', () => {
  it('is JSON.stringify for JSON data, and reads back to an equal value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = exactJson(value);
        // fast-check's JSON values include -0, which JSON writes as 0: refused, not conflated.
        if (text === undefined) {
          expect(containsNegativeZero(value)).toBe(true);
        } else {
          expect(text).toBe(JSON.stringify(value));
          expect(JSON.parse(text)).toStrictEqual(value);
        }
      }),
      { numRuns: 500 },
    );
  });

  class Tenant {
    customerId = 'acme';
  }
  const hidden = {};
  Object.defineProperty(hidden, 'customerId', { value: 'acme', enumerable: false });
  const holey: unknown[] = [];
  holey[1] = 'x';
  it.each([
    ['undefined member', { a: undefined }],
    ['undefined item', [undefined]],
    ['NaN', { a: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['-0', { a: -0 }],
    ['Date', { a: new Date(0) }],
    ['Map', { a: new Map() }],
    ['class instance', { a: new Tenant() }],
    ['inherited property', Object.create({ customerId: 'acme' })],
    ['non-enumerable property', hidden],
    ['toJSON', { toJSON: () => 'x' }],
    ['function', { a: () => 1 }],
    ['bigint', { a: 1n }],
    ['symbol', { a: Symbol('x') }],
    ['holey array', holey],
  ])('refuses a value JSON cannot carry exactly: %s', (_name, value) => {
    expect(exactJson(value)).toBeUndefined();
  });

  it('accepts a null-prototype object and a "__proto__" own key', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
    expect(exactJson(bare)).toBe('{"a":1}');
    expect(exactJson(JSON.parse('{"__proto__":{"customerId":"acme"}}'))).toBe('{"__proto__":{"customerId":"acme"}}');
  });
});
