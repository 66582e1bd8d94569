import { createHash } from 'node:crypto';
import type { GovernedSql } from '@perch/engine';

/**
 * The result-cache key of a governed statement: dialect, SQL text, every bound parameter and the
 * row cap, and the tenant route when there is one. RLS values are bound parameters, so two users with different attributes always get
 * different keys (the Superset #10804 failure: RLS missing from the cache key).
 *
 * Parameters are written as canonical, type-tagged JSON so `1` and `"1"`, or a `Date` and its ISO
 * text, can never collide.
 *
 * @example
 * ```ts
 * resultCacheKey(compiled.main, 50_000) // '["duckdb","SELECT …",[["string","acme"]],50000]'
 * ```
 */
export function resultCacheKey(query: GovernedSql, maxRows: number): string {
  const parameters = query.parameters.map(taggedParameter);
  // A tenant route is part of the key: a schema route is also in the SQL text, but a database
  // route is not (the same SQL runs on each tenant's database), so without it two tenants would
  // share an entry.
  const material = JSON.stringify(query.route ? [query.dialect, query.sql, parameters, maxRows, routeTag(query.route)] : [query.dialect, query.sql, parameters, maxRows]);
  // A typical key is its canonical text itself: a Map hashes strings natively, and a digest would
  // cost a SHA-256 on every request, cache hits included. Long texts (big IN lists) are digested
  // so that entries stay small; a digest (hex) never starts with '[', so the forms cannot collide.
  return material.length <= MAX_PLAIN_KEY_LENGTH ? material : createHash('sha256').update(material).digest('hex');
}

/** Keys up to this many characters are kept as text (see `resultCacheKey`). */
export const MAX_PLAIN_KEY_LENGTH = 2_048;

function routeTag(route: NonNullable<GovernedSql['route']>): [string, string] {
  return 'schema' in route ? ['schema', route.schema] : ['database', route.database];
}

function taggedParameter(value: GovernedSql['parameters'][number]): unknown {
  if (value === null) return ['null'];
  if (value instanceof Date) return ['date', value.toISOString()];
  if (Array.isArray(value)) return ['list', value.map((item) => [typeof item, item])];
  return [typeof value, value];
}
