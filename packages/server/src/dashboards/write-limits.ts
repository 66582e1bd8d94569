import { PerchError } from '@perch/protocol';

/** `limits.dashboards` of the server config. */
export interface DashboardLimits {
  maxTiles: number;
  maxSavedPerTenant: number;
  maxDefinitionBytes: number;
}

/**
 * Refuse a definition over the size or chart limits before anything else looks at it: the
 * engine's validation and every chart's compilation cost time in proportion to its size.
 * The size is the definition as compact JSON, so whitespace a client adds does not count.
 *
 * @example
 * ```ts
 * checkDefinitionLimits(body, { maxTiles: 50, maxSavedPerTenant: 500, maxDefinitionBytes: 262_144 });
 * // throws PerchError too_many_tiles (path `charts`) for 51 charts
 * ```
 */
export function checkDefinitionLimits(input: unknown, limits: DashboardLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(input) ?? '', 'utf8');
  if (bytes > limits.maxDefinitionBytes) {
    throw new PerchError('body_too_large', { path: 'body', message: `body: the definition is ${bytes} bytes; at most ${limits.maxDefinitionBytes} are allowed` });
  }
  const charts = typeof input === 'object' && input !== null ? (input as { charts?: unknown }).charts : undefined;
  if (Array.isArray(charts) && charts.length > limits.maxTiles) {
    throw new PerchError('too_many_tiles', { path: 'charts', message: `charts: ${charts.length} charts; at most ${limits.maxTiles} are allowed` });
  }
}
