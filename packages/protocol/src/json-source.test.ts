import { describe, expect, it } from 'vitest';
import { deepFreeze } from './deep-freeze.js';
import { jsonSourceOf, rememberJsonSource } from './json-source.js';

describe('json source', () => {
  it('returns the text a remembered value was parsed from, and nothing for any other value', () => {
    const text = ' { "dataset": "orders", "measures": ["revenue"] } ';
    const value = deepFreeze(JSON.parse(text) as object);
    rememberJsonSource(value, text);
    expect(jsonSourceOf(value)).toBe(text);
    expect(jsonSourceOf(JSON.parse(text))).toBeUndefined();
    expect(jsonSourceOf('orders')).toBeUndefined();
    expect(jsonSourceOf(null)).toBeUndefined();
  });

  it('refuses a value that could still change', () => {
    expect(() => rememberJsonSource(JSON.parse('{"a":[1]}'), '{"a":[1]}')).toThrow(/deeply frozen/);
    expect(() => rememberJsonSource(Object.freeze({ a: [1] }), '{"a":[1]}')).toThrow(/deeply frozen/);
  });
});
