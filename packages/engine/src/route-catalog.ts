/**
 * The catalog look-up behind tenant routing: the names of the warehouse's schemas (or databases),
 * so that a route that matches its pattern is used only if it also exists. It reads names from the
 * catalog, never a table's rows, and takes no input but the dialect: that is why it may be sealed
 * as governed without a policy, like the column probe.
 */
import { PerchError } from '@perch/protocol';
import { sealGoverned, type DialectName, type GovernedSql } from './governed.js';

/**
 * Catalog queries by dialect and route kind, each answering one text column `name`.
 * - PostgreSQL's `information_schema.schemata` lists only schemas the connected role owns or
 *   holds a privilege on, and databases are those it may connect to: a schema Perch's read-only
 *   role cannot read is not a tenant it will route to.
 * - MySQL and MariaDB list only the databases the user has a privilege on.
 */
const CATALOG_SQL: Record<DialectName, Partial<Record<'schema' | 'database', string>>> = {
  postgres: {
    schema: 'SELECT schema_name AS name FROM information_schema.schemata',
    database: "SELECT datname AS name FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate AND has_database_privilege(datname, 'CONNECT')",
  },
  mysql: {
    schema: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA',
    database: 'SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA',
  },
  duckdb: {
    schema: 'SELECT DISTINCT schema_name AS name FROM information_schema.schemata',
  },
};

/**
 * The statement listing the schemas (databases) a route may name.
 *
 * @example
 * ```ts
 * const { rows } = await connector.execute(compileRouteCatalog('postgres', 'schema'));
 * rows.map((row) => row.name) // ['public', 'tenant_acme', …]
 * ```
 * @throws PerchError `invalid_request` for a kind the dialect cannot route (DuckDB databases).
 */
export function compileRouteCatalog(dialect: DialectName, kind: 'schema' | 'database'): GovernedSql {
  const sql = CATALOG_SQL[dialect][kind];
  if (sql === undefined) throw new PerchError('invalid_request', { path: 'source.database', message: `${dialect} warehouses route tenants by schema only` });
  return sealGoverned({ dialect, sql, parameters: [], policiesApplied: [] });
}
