import { createHash } from 'node:crypto';
import type { GovernedSql } from '@perch/engine';

/**
 * The result-cache key of a governed statement: dialect, SQL text, every bound parameter and the
 * row cap. RLS values are bound parameters, so two users with different attributes always get
 * different keys (the Superset #10804 failure: RLS missing from the cache key).
 *
 * Parameters are written as canonical, type-tagged JSON so `1` and `"1"`, or a `Date` and its ISO
 * text, can never collide.
 *
 * @example
 * ```ts
 * resultCacheKey(compiled.main, 50_000) // 'sha256 hex…'
 * ```
 */
export function resultCacheKey(query: GovernedSql, maxRows: number): string {
  const parameters = query.parameters.map(taggedParameter);
  const material = JSON.stringify([query.dialect, query.sql, parameters, maxRows]);
  return createHash('sha256').update(material).digest('hex');
}

function taggedParameter(value: GovernedSql['parameters'][number]): unknown {
  if (value === null) return ['null'];
  if (value instanceof Date) return ['date', value.toISOString()];
  if (Array.isArray(value)) return ['list', value.map((item) => [typeof item, item])];
  return [typeof value, value];
}
