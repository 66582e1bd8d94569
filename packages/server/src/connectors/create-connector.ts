import type { Connector, ConnectorConfig, ConnectorDefaults } from './connector.js';
import { createDuckDBConnector } from './duckdb-connector.js';
import { createMySqlConnector } from './mysql-connector.js';
import { createPostgresConnector } from './postgres-connector.js';

/**
 * Opens the datasource a config describes.
 *
 * @example
 * const connector = await createConnector({ type: 'duckdb', path: '.perch/demo.duckdb', readOnly: true }, { timeoutMs: 10_000, maxRows: 50_000 });
 * const { rows, truncated } = await connector.execute(governedSql, { signal: request.signal });
 */
export function createConnector(config: ConnectorConfig, defaults?: ConnectorDefaults): Promise<Connector> {
  switch (config.type) {
    case 'duckdb':
      return createDuckDBConnector(config, defaults);
    case 'postgres':
      return createPostgresConnector(config, defaults);
    case 'mysql':
      return createMySqlConnector(config, defaults);
  }
}
