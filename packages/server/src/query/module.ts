import { resolve } from 'node:path';
import { loadModel, type Model } from '@perch/engine';
import type { PerchConfig } from '../config.js';
import type { PerchContext } from '../context.js';
import type { RouteModule } from '../http/route-module.js';
import { openWarehouse } from './open-warehouse.js';
import { QueryService } from './query-service.js';
import { withWarehouseColumnTypes } from './policy-column-types.js';
import { queryRouteModules } from './route-modules.js';

export interface QueryModule {
  modules: RouteModule[];
  readiness: Record<string, () => Promise<void>>;
  service: QueryService;
  close(): Promise<void>;
}

/**
 * Wire the governed query path from configuration: load the semantic model, open the warehouse
 * (generating the demo warehouse first when configured), and build the route modules.
 *
 * A model that fails validation stops the start: serving with a half-valid model could drop a
 * policy, so there is no "start anyway". That includes a policy column the warehouse lacks, or
 * whose type there disagrees with the model: the warehouse's catalog types every policy column.
 *
 * @example
 * ```ts
 * const query = await createQueryModule(config, ctx);
 * const app = await buildApp(ctx, { modules: query.modules, readiness: query.readiness });
 * // on shutdown
 * await query.close();
 * ```
 */
export async function createQueryModule(config: PerchConfig, ctx: Pick<PerchContext, 'logger'>): Promise<QueryModule> {
  const parsed = await loadModel(resolve(config.cwd, config.modelDir));
  const { connector } = await openWarehouse(config, ctx, parsed);
  let model: Model;
  try {
    model = await withWarehouseColumnTypes(parsed, connector);
  } catch (error) {
    await connector.close();
    throw error;
  }
  const service = new QueryService({ model, connector, limits: config.limits });
  return {
    modules: queryRouteModules(service),
    readiness: { warehouse: () => connector.ping() },
    service,
    close: () => connector.close(),
  };
}
