import { deepFreeze, isDeeplyFrozen } from '@perch/protocol';
import { digestAttributes } from './attribute-digest.js';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import { storableObject } from './sanitize.js';

type JsonObject = { [key: string]: JsonValue };

/**
 * Work on a user's attributes done once per attributes object rather than once per event.
 *
 * Every event of a request carries the user's attributes, and verified claims are deeply frozen
 * and cached per token, so the same object comes back on every request with that token. Only
 * deeply frozen objects are remembered: what was computed from them cannot go stale. Keys are
 * weak, so nothing outlives the claims it came from.
 */
const storableCopies = new WeakMap<object, JsonObject>();
const storedForms = new WeakMap<object, { salt: string; raw: boolean; stored: StoredAttributes }>();

/** Attributes as an event stores and hashes them, and their canonical JSON. */
export interface StoredAttributes {
  readonly value: JsonObject;
  /** `canonicalJson(value)`. */
  readonly json: string;
}

/**
 * `storableObject(attributes)`, remembered (deeply frozen) for deeply frozen attributes.
 *
 * @example
 * ```ts
 * const claims = deepFreeze({ attributes: { customerId: 'acme' } });
 * storableAttributes(claims.attributes) === storableAttributes(claims.attributes); // true
 * ```
 */
export function storableAttributes(attributes: Record<string, unknown>): JsonObject {
  const known = storableCopies.get(attributes);
  if (known) return known;
  const storable = storableObject(attributes);
  if (isDeeplyFrozen(attributes)) storableCopies.set(attributes, deepFreeze(storable));
  return storable;
}

/**
 * Attributes as an event stores and hashes them (each value replaced by its salted digest, or
 * raw when the workspace keeps raw values), with their canonical JSON. Remembered per deeply
 * frozen attributes object, for the salt and mode it was computed with.
 *
 * @example
 * ```ts
 * storedAttributes({ region: 'EU' }, salt, false).json; // '{"region":"hmac-sha256:9f2c…"}'
 * ```
 */
export function storedAttributes(attributes: JsonObject, salt: string, raw: boolean): StoredAttributes {
  const known = storedForms.get(attributes);
  if (known && known.salt === salt && known.raw === raw) return known.stored;
  const value = raw ? attributes : digestAttributes(salt, attributes);
  const stored: StoredAttributes = { value, json: canonicalJson(value) };
  if (isDeeplyFrozen(attributes)) storedForms.set(attributes, { salt, raw, stored: deepFreeze(stored) });
  return stored;
}
