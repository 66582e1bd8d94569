/** A JSON value: what Perch hashes, fingerprints and stores as JSON. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * Serialise a JSON value canonically, as RFC 8785 (JCS) does for the values Perch produces:
 * object members sorted by the UTF-16 code units of their keys, no whitespace, strings and
 * numbers exactly as `JSON.stringify` writes them (which is JCS's number form). Members whose
 * value is `undefined` are left out and `undefined` array items become `null`, as in JSON.
 *
 * Why not plain `JSON.stringify`: it follows insertion order, and JavaScript enumerates
 * array-index keys (`"9"`, `"10"`) first in numeric order. A value read back from a store that
 * reorders keys (PostgreSQL's jsonb) must serialise exactly as it did when it was written, so
 * that an audit event's hash and a query's fingerprint do not depend on where the value came
 * from. Anyone can recompute them with a JCS library.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, null], 10: 'x', 9: 'y' }) // '{"10":"x","9":"y","a":[true,null],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonical JSON has no representation for a non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item !== undefined) members.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no representation for a ${typeof value}`);
  }
}
