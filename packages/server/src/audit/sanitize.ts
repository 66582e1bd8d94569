import type { JsonValue } from '@perch/protocol';

// NUL and lone surrogates: PostgreSQL refuses the first in text and jsonb, and the UTF-8 encoder
// silently replaces the second. Either way the stored event would no longer match its hash (or
// a whole batch would fail), so both become U+FFFD before the event is hashed.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Make a string storable byte-for-byte in PostgreSQL text/jsonb. */
export function storableText(value: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(value) ? value.replace(UNSTORABLE, '\uFFFD') : value;
}

export function storableTextOrNull(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : storableText(String(value));
}

/**
 * Turn arbitrary route-supplied detail into plain JSON that survives a jsonb round trip:
 * bigint becomes a string, non-finite numbers and functions become null, Dates become ISO text.
 * Every object's members are inserted in code-unit order of their (storable) keys, the order
 * canonical JSON writes them in.
 */
export function storableJson(value: unknown, depth = 0): JsonValue {
  if (depth > 32) return null;
  switch (typeof value) {
    case 'string':
      return storableText(value);
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'object': {
      if (value === null) return null;
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
      if (Array.isArray(value)) return value.map((item) => storableJson(item, depth + 1));
      // The entries' own list and pairs are reused (members JSON cannot hold dropped in place,
      // keys made storable in place): no second list per object.
      const members = Object.entries(value as Record<string, unknown>);
      let kept = 0;
      for (const member of members) {
        const item = member[1];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        member[0] = storableText(member[0]);
        members[kept++] = member;
      }
      members.length = kept;
      // Stable: two keys that became the same storable key keep their order, the later one wins.
      members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      const out: { [key: string]: JsonValue } = {};
      for (const [key, item] of members) {
        const json = storableJson(item, depth + 1);
        // Assigning "__proto__" would set the object's prototype and lose the member; defined,
        // it stays an ordinary member, as JSON.parse and canonicalJson keep it.
        if (key === '__proto__') Object.defineProperty(out, key, { value: json, enumerable: true, writable: true, configurable: true });
        else out[key] = json;
      }
      return out;
    }
    default:
      return null;
  }
}

/** `storableJson` of an object; anything else becomes `{}` (details and attributes are objects). */
export function storableObject(value: Record<string, unknown> | undefined): { [key: string]: JsonValue } {
  const json = value === undefined ? {} : storableJson(value);
  return json !== null && typeof json === 'object' && !Array.isArray(json) ? json : {};
}
