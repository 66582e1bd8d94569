import { resolve } from 'node:path';
import type { Model } from '@perch/engine';
import type { PerchConfig } from '../config.js';
import type { PerchContext } from '../context.js';
import { createConnector, RoutingConnector, type Connector, type ConnectorConfig } from '../connectors/index.js';
import { generateDemoWarehouse } from '../demo/index.js';
import { routeKindsOf, warehouseUrlFor } from './tenant-routes.js';

/**
 * Open the configured warehouse, generating the demo warehouse first when configured. When
 * `model` routes tenants to schemas or databases, the connector is a {@link RoutingConnector}:
 * it checks every route against the warehouse's catalog and runs database routes on per-database
 * pools.
 *
 * @example
 * ```ts
 * const { connector } = await openWarehouse(config, ctx, model);
 * ```
 * @throws Error when the model routes by database and the warehouse cannot (DuckDB, or a url
 *   without `{database}`).
 */
export async function openWarehouse(config: PerchConfig, ctx: Pick<PerchContext, 'logger'>, model?: Model): Promise<{ connector: Connector; connectorConfig: ConnectorConfig }> {
  const warehouse = config.warehouse;
  const kinds = model ? routeKindsOf(model) : new Map<string, 'schema' | 'database'>();
  const databaseRouted = [...kinds].find(([, kind]) => kind === 'database')?.[0];
  let connectorConfig: ConnectorConfig;
  if (warehouse.type === 'duckdb') {
    if (databaseRouted) throw new Error(`dataset "${databaseRouted}" routes by database, which a DuckDB warehouse cannot: route by schema`);
    const path = resolve(config.cwd, warehouse.path);
    if (warehouse.demo) {
      // The demo always ends yesterday, so relative ranges ("Last 7 days") are never empty.
      const summary = await generateDemoWarehouse({ path, orders: warehouse.demoOrders, today: new Date() });
      if (summary.generated) ctx.logger.info({ path, orders: summary.orders }, 'demo warehouse generated');
    }
    // Perch only reads the warehouse; read-only also makes DuckDB refuse every write.
    connectorConfig = { type: 'duckdb', path, readOnly: true };
  } else {
    if (databaseRouted && warehouse.database === undefined) throw new Error(`dataset "${databaseRouted}" routes by database: the warehouse url needs {database} and warehouse.database (docs/model.md)`);
    connectorConfig = { type: warehouse.type, url: warehouseUrlFor(warehouse.url, warehouse.database), poolSize: warehouse.poolSize };
  }
  const defaults = { timeoutMs: config.limits.queryTimeoutMs, maxRows: config.limits.maxRows };
  const base = await createConnector(connectorConfig, defaults);
  if (kinds.size === 0) return { connector: base, connectorConfig };
  let openDatabase: ((database: string) => Promise<Connector>) | undefined;
  if (warehouse.type !== 'duckdb' && warehouse.database !== undefined) {
    const { type, url, tenantPools } = warehouse;
    openDatabase = (database) => createConnector({ type, url: warehouseUrlFor(url, database), poolSize: tenantPools?.size ?? 4 }, defaults);
  }
  const tenantPools = warehouse.type === 'duckdb' ? undefined : warehouse.tenantPools;
  const connector = new RoutingConnector({
    base,
    ...(openDatabase ? { openDatabase } : {}),
    ...(tenantPools?.max !== undefined ? { maxPools: tenantPools.max } : {}),
    ...(tenantPools?.idleMs !== undefined ? { idleMs: tenantPools.idleMs } : {}),
  });
  return { connector, connectorConfig };
}
