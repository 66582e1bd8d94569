import type { Model } from '@perch/engine';
import type { RouteModule } from '../http/route-module.js';
import type { PerchContext } from '../context.js';
import type { QueryService } from '../query/query-service.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerExportRoutes } from './export-routes.js';
import { registerRowsRoutes } from './rows-routes.js';
import { registerEmbedAssetRoutes } from '../http/embed-asset-routes.js';
import { DashboardDirectory } from './dashboard-directory.js';
import { DashboardStore } from './dashboard-store.js';

export interface DashboardModuleOptions {
  /** Directory of the built web components (default: `PERCH_EMBED_DIST`, else `packages/embed/dist`). */
  embedDistDir?: string;
}

/**
 * The embedded-dashboard route groups, for `buildApp({ modules })`: dashboards and export behind
 * embed-token verification, the web-component bundle as public static files. It also lets the
 * query service run the charts of dashboards makers saved, with the same tenant and scope checks.
 *
 * @example
 * ```ts
 * const query = await createQueryModule(config, ctx);
 * const modules = [...query.modules, ...createDashboardModule(ctx, query.service, query.service.model)];
 * const app = await buildApp(ctx, { modules });
 * ```
 */
export function createDashboardModule(ctx: PerchContext, queryService: QueryService, model: Model, options: DashboardModuleOptions = {}): RouteModule[] {
  const directory = new DashboardDirectory({
    model,
    store: new DashboardStore(ctx.store.db),
    workspaces: ctx.workspaces,
    dialect: queryService.dialect,
    engine: () => ({ maxLimit: ctx.config.limits.maxRows, defaultLimit: ctx.config.limits.defaultRows, now: new Date(ctx.clock.now()) }),
    limits: ctx.config.limits.dashboards,
  });
  queryService.useSavedDashboards((claims, id) => directory.find(claims, id));
  return [
    { kind: 'embed', register: (app) => registerDashboardRoutes(app, ctx, queryService, directory) },
    { kind: 'embed', register: (app) => registerExportRoutes(app, ctx, queryService) },
    { kind: 'embed', register: (app) => registerRowsRoutes(app, ctx, queryService) },
    { kind: 'public', register: (app) => registerEmbedAssetRoutes(app, ctx, options.embedDistDir ?? (process.env.PERCH_EMBED_DIST || undefined)) },
  ];
}
