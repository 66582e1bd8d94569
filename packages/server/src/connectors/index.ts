export type {
  CellValue,
  ColumnType,
  Connector,
  ConnectorConfig,
  ConnectorDefaults,
  DuckDBConnectorConfig,
  ExecuteOptions,
  MySqlConnectorConfig,
  PostgresConnectorConfig,
  QueryColumn,
  QueryRows,
} from './connector.js';
export { DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT_MS } from './connector.js';
export { createConnector } from './create-connector.js';
export { createDuckDBConnector } from './duckdb-connector.js';
export { createPostgresConnector } from './postgres-connector.js';
export { createMySqlConnector } from './mysql-connector.js';
export { openHardenedDuckDB } from './duckdb-instance.js';
export { RoutingConnector, type RoutingConnectorOptions } from './routing-connector.js';
export { TenantCatalog } from './tenant-catalog.js';
export { TenantPools } from './tenant-pools.js';
