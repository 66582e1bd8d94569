import { canonicalJson, deepFreeze, isDeeplyFrozen, type JsonValue } from '@perch/protocol';
import { digestAttributes } from './attribute-digest.js';
import { storableObject } from './sanitize.js';

type JsonObject = { [key: string]: JsonValue };

/** Attributes as an event stores and hashes them, and their canonical JSON. */
export interface StoredAttributes {
  readonly value: JsonObject;
  /** `canonicalJson(value)`. */
  readonly json: string;
}

/** What `attributeForms` returns: one trail's memory of the attribute objects it has seen. */
export interface AttributeForms {
  /**
   * `storableObject(attributes)`, remembered (deeply frozen) for deeply frozen attributes.
   *
   * @example
   * ```ts
   * const claims = deepFreeze({ attributes: { customerId: 'acme' } });
   * forms.storableAttributes(claims.attributes) === forms.storableAttributes(claims.attributes); // true
   * ```
   */
  storableAttributes(attributes: Record<string, unknown>): JsonObject;
  /**
   * Attributes as an event stores and hashes them (each value replaced by its salted digest, or
   * raw when the workspace keeps raw values), with their canonical JSON. Remembered per deeply
   * frozen attributes object, for the salt and mode it was computed with.
   *
   * @example
   * ```ts
   * forms.storedAttributes({ region: 'EU' }, salt, false).json; // '{"region":"hmac-sha256:9f2c…"}'
   * ```
   */
  storedAttributes(attributes: JsonObject, salt: string, raw: boolean): StoredAttributes;
}

/**
 * Work on a user's attributes done once per attributes object rather than once per event.
 *
 * Every event of a request carries the user's attributes, and verified claims are deeply frozen
 * and cached per token, so the same object comes back on every request with that token: its
 * storable copy and its digests (an HMAC per attribute) are computed once. Only deeply frozen
 * objects are remembered, so what was computed from them cannot go stale. Keys are weak, so
 * nothing outlives the claims it came from; the memory belongs to one trail, not the module.
 */
export function attributeForms(): AttributeForms {
  const storableCopies = new WeakMap<object, JsonObject>();
  const storedForms = new WeakMap<object, { salt: string; raw: boolean; stored: StoredAttributes }>();
  return {
    storableAttributes(attributes) {
      const known = storableCopies.get(attributes);
      if (known) return known;
      const storable = storableObject(attributes);
      if (isDeeplyFrozen(attributes)) storableCopies.set(attributes, deepFreeze(storable));
      return storable;
    },
    storedAttributes(attributes, salt, raw) {
      const known = storedForms.get(attributes);
      if (known && known.salt === salt && known.raw === raw) return known.stored;
      const value = raw ? attributes : digestAttributes(salt, attributes);
      const stored: StoredAttributes = { value, json: canonicalJson(value) };
      if (isDeeplyFrozen(attributes)) storedForms.set(attributes, { salt, raw, stored: deepFreeze(stored) });
      return stored;
    },
  };
}
