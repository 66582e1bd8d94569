import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isDeeplyFrozen, isPerchError } from '@perch/protocol';
import { RememberedJsonBodies } from './remembered-json.js';
import { parseStrictJson } from './strict-json.js';

describe('RememberedJsonBodies', () => {
  it('parses like parseStrictJson, deeply frozen', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (data, pretty) => {
        const bodies = new RememberedJsonBodies({ maxEntries: 4 });
        const text = JSON.stringify(data, null, pretty ? 2 : undefined);
        const first = bodies.parse(text);
        expect(first).toEqual(parseStrictJson(text));
        expect(isDeeplyFrozen(first)).toBe(true);
        expect(bodies.parse(text)).toBe(first);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses invalid JSON and duplicate keys every time, with their codes', () => {
    const bodies = new RememberedJsonBodies();
    for (let i = 0; i < 2; i++) {
      for (const [text, code] of [['{"a":', 'invalid_json'], ['{"role":"viewer","role":"admin"}', 'duplicate_key']] as const) {
        let caught: unknown;
        try {
          bodies.parse(text);
        } catch (error) {
          caught = error;
        }
        expect(isPerchError(caught) && caught.code).toBe(code);
      }
    }
  });

  it('keeps at most maxEntries bodies, and never bodies longer than maxLength', () => {
    const bodies = new RememberedJsonBodies({ maxEntries: 2, maxLength: 20 });
    const a = bodies.parse('{"a":1}');
    bodies.parse('{"b":2}');
    bodies.parse('{"c":3}');
    expect(bodies.parse('{"a":1}')).not.toBe(a);
    const long = `{"long":"${'x'.repeat(30)}"}`;
    const parsedLong = bodies.parse(long);
    expect(bodies.parse(long)).not.toBe(parsedLong);
    expect(bodies.parse(long)).toEqual(parsedLong);
  });
});
