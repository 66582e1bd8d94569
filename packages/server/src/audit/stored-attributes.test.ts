import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deepFreeze } from '@perch/protocol';
import { digestAttributes, newAuditSalt } from './attribute-digest.js';
import { canonicalJson, type JsonValue } from '@perch/protocol';
import { storableObject } from './sanitize.js';
import { attributeForms } from './stored-attributes.js';

const { storableAttributes, storedAttributes } = attributeForms();

const attributeValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));

describe('stored attributes', () => {
  it('equal what the event would compute each time, frozen or not, for every salt and mode', () => {
    const salts = [newAuditSalt(), newAuditSalt()];
    fc.assert(
      fc.property(fc.dictionary(fc.string(), attributeValue), fc.boolean(), fc.boolean(), (raw, freeze, rawMode) => {
        const attributes = freeze ? deepFreeze(raw) : raw;
        const storable = storableAttributes(attributes);
        expect(storable).toEqual(storableObject(raw));
        for (const salt of salts) {
          const expected = rawMode ? storable : digestAttributes(salt, storable);
          for (let i = 0; i < 2; i++) {
            const stored = storedAttributes(storable, salt, rawMode);
            expect(stored.value).toEqual(expected);
            expect(stored.json).toBe(canonicalJson(expected));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('remembers deeply frozen attributes only: a mutable object is read again every time', () => {
    const salt = newAuditSalt();
    const frozen = deepFreeze({ customerId: 'acme' });
    expect(storableAttributes(frozen)).toBe(storableAttributes(frozen));
    const storable = storableAttributes(frozen);
    expect(storedAttributes(storable, salt, false)).toBe(storedAttributes(storable, salt, false));

    const mutable: Record<string, JsonValue> = { customerId: 'acme' };
    const before = storedAttributes(storableAttributes(mutable), salt, true).json;
    mutable.customerId = 'globex';
    const after = storedAttributes(storableAttributes(mutable), salt, true).json;
    expect(before).toBe('{"customerId":"acme"}');
    expect(after).toBe('{"customerId":"globex"}');
  });
});
