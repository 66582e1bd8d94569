import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson } from '@perch/protocol';
import { storableJson, storableObject, storableText } from './sanitize.js';

/** RFC 8785 for plain JSON values, written out the slow way: members in code-unit order of their keys. */
function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${jcs(item)}`).join(',')}}`;
}

/** Route details as they come: any keys (array indexes, lone surrogates, "__proto__"), values JSON cannot hold. */
const routeDetails = fc.object({
  key: fc.oneof(fc.string(), fc.nat({ max: 12 }).map(String), fc.constantFrom('__proto__', 'a\ud800', 'a\udc00', '\u0000', 'toJSON', '10a')),
  values: [fc.integer(), fc.double(), fc.string(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt(), fc.date()],
  maxDepth: 3,
});

describe('storable values', () => {
  it('replaces NUL and lone surrogates, keeps valid pairs', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\ud800y')).toBe('x\uFFFDy');
    expect(storableText('😀')).toBe('😀');
  });

  it('maps non-JSON values to JSON that survives a round trip', () => {
    const value = storableJson({ n: 10n, inf: Infinity, d: new Date(0), skip: undefined, f: () => 1, arr: [1, 'a\u0000'] });
    expect(value).toEqual({ n: '10', inf: null, d: '1970-01-01T00:00:00.000Z', arr: [1, 'a\uFFFD'] });
    expect(JSON.parse(JSON.stringify(value))).toEqual(value);
  });

  it('inserts every object\'s members in code-unit order of their storable keys', () => {
    const value = storableObject({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 2 }, B: 3 });
    expect(Object.keys(value)).toEqual(['B', 'a', 'b']);
    expect(Object.keys(value.a as object)).toEqual(['c', 'd']);
    expect(Object.keys((value.a as { d: object[] }).d[0]!)).toEqual(['y', 'z']);
  });

  it('keeps a "__proto__" key of route details as an ordinary member, at any depth', () => {
    const details = JSON.parse('{"b":1,"__proto__":{"x":2,"__proto__":[3]}}') as Record<string, unknown>;
    const storable = storableObject(details);
    expect(Object.getPrototypeOf(storable)).toBe(Object.prototype);
    expect(canonicalJson(storable)).toBe('{"__proto__":{"__proto__":[3],"x":2},"b":1}');
    expect(jcs(details)).toBe(canonicalJson(storable));
  });

  it('is written by canonicalJson exactly as RFC 8785 writes the same JSON value, whatever the keys', () => {
    fc.assert(
      fc.property(routeDetails, (details) => {
        const storable = storableObject(details);
        expect(canonicalJson(storable)).toBe(jcs(JSON.parse(JSON.stringify(storable))));
      }),
      { numRuns: 1_000 },
    );
  });
});

