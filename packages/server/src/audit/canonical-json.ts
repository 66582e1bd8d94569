/** A JSON value as the audit trail stores and hashes it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialise a JSON value canonically: object keys sorted by UTF-16 code units, no whitespace,
 * strings and numbers exactly as `JSON.stringify` writes them. This is the serialisation of
 * RFC 8785 (JCS) for the values Perch stores, so anyone can recompute an event's hash with a
 * JCS library. Keys whose value is `undefined` are left out, as JSON does.
 *
 * Why not plain `JSON.stringify`: key order follows insertion order, and an event read back from
 * the store (jsonb reorders keys) must hash exactly as it did when it was written.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  // Built in canonical order already (see `rememberCanonicalOrder`): JSON.stringify writes it as is.
  if (typeof value === 'object' && value !== null && inCanonicalOrder.has(value)) return JSON.stringify(value);
  // Copy with sorted keys, then let the native JSON.stringify write it: a plain string-building
  // walk spends most of its time allocating, and every audit event is hashed through here.
  const copy = scannedCopy(value);
  // JavaScript enumerates array-index keys ("0", "9", "10") before every other key, in numeric
  // order, whatever the insertion order, and JSON.stringify follows it; JCS sorts them by code
  // units like any key ("10" before "9"). Such values are written member by member instead.
  return sawIndexKey ? writeSorted(copy) : JSON.stringify(copy);
}

/**
 * The canonical JSON of Perch releases before array-index keys were ordered as JCS orders them:
 * identical to `canonicalJson` for every value without such keys. Verification accepts it for
 * events stored by those releases (see `chainHashVerifies`); nothing is written with it.
 */
export function legacyCanonicalJson(value: unknown): string {
  return JSON.stringify(scannedCopy(value));
}

/** Whether any object inside `value` has an array-index key (`"0"`, `"42"`): where `legacyCanonicalJson` differs. */
export function hasArrayIndexKey(value: unknown): boolean {
  scannedCopy(value);
  return sawIndexKey;
}

/**
 * Whether the last `scannedCopy` met an array-index key. Module state rather than a result
 * object: every audited request canonicalises its event's details, and the copy is synchronous,
 * so nothing can run between the copy and the read.
 */
let sawIndexKey = false;

function scannedCopy(value: unknown): unknown {
  sawIndexKey = false;
  return sortedCopy(value);
}

/** Values built in canonical order (see `rememberCanonicalOrder`). */
const inCanonicalOrder = new WeakSet<object>();

/**
 * Let `canonicalJson` write `value` with plain `JSON.stringify`, skipping its sorted copy. Only for
 * a value its builder made canonical at every depth: every object's members inserted in
 * code-unit order of their keys, no array-index key anywhere (JavaScript would enumerate it
 * first), and nothing JSON cannot write (no undefined, non-finite number, bigint or function).
 * The value must not change afterwards. `storableObject` builds the audit trail's details and
 * attributes this way, so that each event is not copied once to sanitise it and again to sort it.
 *
 * @example
 * ```ts
 * const value = { a: 1, b: [true] }; // built in order
 * rememberCanonicalOrder(value);
 * canonicalJson(value); // '{"a":1,"b":[true]}', without a copy
 * ```
 */
export function rememberCanonicalOrder(value: object): void {
  inCanonicalOrder.add(value);
}

/** A canonical decimal integer: how JavaScript recognises an array-index key (and a little more, which only costs speed). */
const INDEX_LIKE = /^(?:0|[1-9][0-9]*)$/;

/** Whether JavaScript may enumerate `key` before the other keys of an object (an array-index key). */
export function isIndexLike(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 48 && first <= 57 && INDEX_LIKE.test(key);
}

/** Write a value `sortedCopy` made, every object's members in code-unit order of their keys. */
function writeSorted(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeSorted).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${writeSorted(record[key])}`);
  return `{${members.join(',')}}`;
}

function sortedCopy(value: unknown): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for a non-finite number');
      return value;
    case 'object': {
      if (Array.isArray(value)) {
        const items = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i += 1) items[i] = value[i] === undefined ? null : sortedCopy(value[i]);
        return items;
      }
      const record = value as Record<string, unknown>;
      // A null prototype: a "__proto__" key stays an ordinary member instead of a prototype.
      const sorted = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        if (!sawIndexKey && isIndexLike(key)) sawIndexKey = true;
        sorted[key] = sortedCopy(item);
      }
      return sorted;
    }
    default:
      throw new TypeError(`canonical JSON has no representation for a ${typeof value}`);
  }
}
