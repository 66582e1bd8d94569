import { describe, expect, it } from 'vitest';
import { storableJson, storableText } from './sanitize.js';

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
});
