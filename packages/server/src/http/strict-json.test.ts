import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PerchError } from '@perch/protocol';
import { findDuplicateKey, MAX_JSON_DEPTH, parseStrictJson } from './strict-json.js';

describe('parseStrictJson', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"user":{"role":"viewer","role":"admin"}}', 'user.role'],
    ['{"x":[{"k":1},{"k":1,"k":2}]}', 'x[1].k'],
    ['{"a\\u0062":1,"ab":2}', 'ab'],
  ])('refuses duplicate keys in %s at %s', (text, path) => {
    try {
      parseStrictJson(text);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PerchError);
      expect((error as PerchError).code).toBe('duplicate_key');
      expect((error as PerchError).path).toBe(path);
    }
  });

  it('refuses invalid JSON with invalid_json', () => {
    expect(() => parseStrictJson('{"a":')).toThrowError(expect.objectContaining({ code: 'invalid_json' }));
  });

  it('accepts equal keys in different objects and strings that look like keys', () => {
    expect(parseStrictJson('{"a":{"a":1},"b":"\\"a\\":","c":[{"a":1},{"a":2}]}')).toEqual({ a: { a: 1 }, b: '"a":', c: [{ a: 1 }, { a: 2 }] });
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH with json_too_deep and the path where it goes too deep', () => {
    const deepArrays = '['.repeat(MAX_JSON_DEPTH + 1) + ']'.repeat(MAX_JSON_DEPTH + 1);
    expect(() => parseStrictJson(deepArrays)).toThrowError(expect.objectContaining({ code: 'json_too_deep', path: '[0]'.repeat(MAX_JSON_DEPTH) }));
    // Ten thousand levels, far below the body size limit: refused, not a stack overflow.
    expect(() => parseStrictJson('['.repeat(10_000) + ']'.repeat(10_000))).toThrowError(expect.objectContaining({ code: 'json_too_deep' }));
    expect(() => parseStrictJson('{"a":[1,{"b":' + '{"c":'.repeat(MAX_JSON_DEPTH) + '1' + '}'.repeat(MAX_JSON_DEPTH) + '}]}')).toThrowError(
      expect.objectContaining({ code: 'json_too_deep', path: `a[1].b${'.c'.repeat(MAX_JSON_DEPTH - 3)}` }),
    );
  });

  it('accepts nesting of exactly MAX_JSON_DEPTH levels', () => {
    const text = '['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH);
    expect(parseStrictJson(text)).toEqual(JSON.parse(text));
  });

  it('never reports a duplicate for JSON.stringify output (property)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => findDuplicateKey(JSON.stringify(value)) === undefined), { numRuns: 300 });
  });
});
