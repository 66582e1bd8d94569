import type { RouteModule } from '../http/route-module.js';
import { registerQueryRoutes } from './query-routes.js';
import { registerCatalogRoutes } from './catalog-routes.js';
import { registerExplainRoutes } from './explain-routes.js';
import type { QueryService } from './query-service.js';

/**
 * The route groups of the governed query path, for `buildApp({ modules })`: query, catalog and
 * values behind embed-token verification, explain behind an admin API key.
 *
 * @example
 * ```ts
 * const app = await buildApp(ctx, { modules: queryRouteModules(new QueryService({ model, connector, limits })) });
 * ```
 */
export function queryRouteModules(service: QueryService): RouteModule[] {
  return [
    { kind: 'embed', register: (app, ctx) => registerQueryRoutes(app, ctx, service) },
    { kind: 'embed', register: (app, ctx) => registerCatalogRoutes(app, ctx, service) },
    { kind: 'api-key', register: (app, ctx) => registerExplainRoutes(app, ctx, service) },
  ];
}
