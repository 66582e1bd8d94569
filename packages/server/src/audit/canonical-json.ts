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
  // Copy with sorted keys, then let the native JSON.stringify write it: a plain string-building
  // walk spends most of its time allocating, and every audit event is hashed through here.
  return JSON.stringify(sortedCopy(value));
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
        if (item !== undefined) sorted[key] = sortedCopy(item);
      }
      return sorted;
    }
    default:
      throw new TypeError(`canonical JSON has no representation for a ${typeof value}`);
  }
}
