import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, hasArrayIndexKey, legacyCanonicalJson } from './canonical-json.js';

/** RFC 8785 for plain JSON values, written out the slow way: members in code-unit order of their keys. */
function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${jcs(item)}`).join(',')}}`;
}

/** JSON values whose object keys are often decimal integers ("0", "9", "10"), which JavaScript enumerates first. */
const indexKeyedJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.string(), fc.array(tie('value'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom('a', 'b', '10a', '01', '_')), tie('value'), { maxKeys: 5 }),
})).value;

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
  });

  it('leaves out undefined members and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });

  it('escapes strings as JSON does, including quotes and control characters', () => {
    expect(canonicalJson({ 'k"': 'a\n"b"\u0001' })).toBe('{"k\\"":"a\\n\\"b\\"\\u0001"}');
  });

  it('keeps a "__proto__" key as an ordinary member', () => {
    const value = JSON.parse('{"b":1,"__proto__":{"x":2}}') as unknown;
    expect(canonicalJson(value)).toBe('{"__proto__":{"x":2},"b":1}');
  });

  it('refuses values JSON cannot represent', () => {
    expect(() => canonicalJson({ a: () => 1 })).toThrow(TypeError);
    expect(() => canonicalJson([Symbol('s')])).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow(TypeError);
    expect(() => canonicalJson({ a: 1n })).toThrow(TypeError);
  });

  it('orders array-index keys by code units, as JCS does, at every depth', () => {
    const value = { 9: 'nine', 10: 'ten', a: [{ 1: null, 0: 'x', z: true }], 2: { 11: 1, 3: 2 } };
    expect(canonicalJson(value)).toBe('{"10":"ten","2":{"11":1,"3":2},"9":"nine","a":[{"0":"x","1":null,"z":true}]}');
  });

  it('matches RFC 8785 on values with decimal-integer keys', () => {
    fc.assert(
      fc.property(indexKeyedJson, (value) => {
        expect(canonicalJson(value)).toBe(jcs(value));
      }),
      { numRuns: 500 },
    );
  });

  it('writes what earlier releases wrote for every value without array-index keys', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        if (!hasArrayIndexKey(value)) expect(legacyCanonicalJson(value)).toBe(canonicalJson(value));
      }),
    );
    expect(hasArrayIndexKey({ a: [{ b: { 7: 1 } }] })).toBe(true);
    expect(hasArrayIndexKey({ a: [{ b: { '07': 1, x7: 2 } }] })).toBe(false);
    expect(legacyCanonicalJson({ 10: 1, 9: 2 })).toBe('{"9":2,"10":1}');
  });

  it('is independent of key insertion order and round-trips through JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        const reparsed = JSON.parse(text) as unknown;
        expect(canonicalJson(reparsed)).toBe(text);
        expect(/\s/.test(text.replace(/"(?:[^"\\]|\\.)*"/g, ''))).toBe(false);
      }),
    );
  });
});
