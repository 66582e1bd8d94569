import { resolve } from 'node:path';
import { loadModel } from '@perch/engine';
import type { PerchConfig } from '../config.js';
import type { PerchContext } from '../context.js';
import type { RouteModule } from '../app.js';
import { createConnector, type Connector, type ConnectorConfig } from '../connectors/index.js';
import { generateDemoWarehouse } from '../demo/index.js';
import { QueryService } from './query-service.js';
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
 * policy, so there is no "start anyway".
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
  const model = await loadModel(resolve(config.cwd, config.modelDir));
  const warehouse = config.warehouse;
  let connectorConfig: ConnectorConfig;
  if (warehouse.type === 'duckdb') {
    const path = resolve(config.cwd, warehouse.path);
    if (warehouse.demo) {
      // The demo always ends yesterday, so relative ranges ("Last 7 days") are never empty.
      const summary = await generateDemoWarehouse({ path, orders: warehouse.demoOrders, today: new Date() });
      if (summary.generated) ctx.logger.info({ path, orders: summary.orders }, 'demo warehouse generated');
    }
    // Perch only reads the warehouse; read-only also makes DuckDB refuse every write.
    connectorConfig = { type: 'duckdb', path, readOnly: true };
  } else {
    connectorConfig = { type: 'postgres', url: warehouse.url, poolSize: warehouse.poolSize };
  }
  const connector: Connector = await createConnector(connectorConfig, { timeoutMs: config.limits.queryTimeoutMs, maxRows: config.limits.maxRows });
  const service = new QueryService({ model, connector, limits: config.limits });
  return {
    modules: queryRouteModules(service),
    readiness: { warehouse: () => connector.ping() },
    service,
    close: () => connector.close(),
  };
}
