import type { Model } from '@perch/engine';

/**
 * The routed datasets of a model and how each is routed.
 *
 * @example
 * ```ts
 * routeKindsOf(model) // Map { 'orders' => 'schema' }
 * ```
 */
export function routeKindsOf(model: Model): Map<string, 'schema' | 'database'> {
  const kinds = new Map<string, 'schema' | 'database'>();
  for (const dataset of model.datasets.values()) {
    if ('table' in dataset.source && dataset.source.route) kinds.set(dataset.name, dataset.source.route.kind);
  }
  return kinds;
}

/**
 * The warehouse url with `{database}` filled in. The name is percent-encoded, so whatever a
 * pattern admits stays the path's database name and can never become a host, port or option.
 *
 * @example
 * ```ts
 * warehouseUrlFor('postgres://perch_ro@db/{database}', 'tenant_acme') // 'postgres://perch_ro@db/tenant_acme'
 * warehouseUrlFor('postgres://perch_ro@db/app', undefined)           // unchanged
 * ```
 */
export function warehouseUrlFor(template: string, database: string | undefined): string {
  return database === undefined ? template : template.replaceAll('{database}', encodeURIComponent(database));
}
