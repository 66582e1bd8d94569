import { resolve } from 'node:path';
import type { PerchConfig } from '../config.js';
import type { PerchContext } from '../context.js';
import { createConnector, type Connector, type ConnectorConfig } from '../connectors/index.js';
import { generateDemoWarehouse } from '../demo/index.js';

/**
 * Open the configured warehouse, generating the demo warehouse first when configured.
 *
 * @example
 * ```ts
 * const { connector } = await openWarehouse(config, ctx);
 * ```
 */
export async function openWarehouse(config: PerchConfig, ctx: Pick<PerchContext, 'logger'>): Promise<{ connector: Connector; connectorConfig: ConnectorConfig }> {
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
  } else if (warehouse.type === 'mysql') {
    connectorConfig = { type: 'mysql', url: warehouse.url, poolSize: warehouse.poolSize };
  } else {
    connectorConfig = { type: 'postgres', url: warehouse.url, poolSize: warehouse.poolSize };
  }
  const connector = await createConnector(connectorConfig, { timeoutMs: config.limits.queryTimeoutMs, maxRows: config.limits.maxRows });
  return { connector, connectorConfig };
}
