/**
 * A small demo warehouse on both connectors, with canary rows for two tenants. Canary strings sit
 * in string columns of globex's and initech's rows (and customer names), so a leak of another
 * tenant's data shows up as text in a response, whatever the query selected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadModel, type Model } from '@perch/engine';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { generateDemoWarehouse, loadDemoIntoMysql, loadDemoIntoPostgres } from '../../src/demo/index.js';
import { QueryService, type QueryLimits } from '../../src/query/index.js';
import { queryRouteModules } from '../../src/query/route-modules.js';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';
import { TEST_DATABASE_URL, uniqueSchema, withAdminClient } from '../connectors/pg-test-helpers.js';
import { mysqlUrlFor, uniqueDatabase, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';

export const CANARIES = { globex: 'CANARY_GLOBEX_7f3a', initech: 'CANARY_INITECH_c91e' } as const;
export const ALL_CANARIES = Object.values(CANARIES);
export const MODEL_DIR = new URL('../../../../model/', import.meta.url).pathname;

/** Extra orders per canary tenant; ids far above the generated ones. */
const CANARY_ROWS = 40;

/**
 * Canary statements, valid in both DuckDB and PostgreSQL. Only tests write SQL text like this;
 * the tenants and canaries are constants of this file.
 */
export function canaryStatements(): string[] {
  const statements: string[] = [];
  let id = 900_000_000;
  for (const [tenant, canary] of Object.entries(CANARIES)) {
    const departments = ['sales', 'finance', 'marketing', 'support', 'operations'];
    const values: string[] = [];
    for (let i = 0; i < CANARY_ROWS; i++) {
      const department = departments[i % departments.length]!;
      // region/channel/status carry the canary; amount and dates stay plausible.
      values.push(`(${id++}, '${tenant}', ${1 + (i % 200)}, '${canary}', '${department}', '${canary}', '${canary}', ${1 + (i % 5)}, ${(1000 + i * 7.25).toFixed(2)}, TIMESTAMP '2025-0${1 + (i % 9)}-1${i % 10} 12:00:00')`);
    }
    statements.push(`INSERT INTO orders (order_id, customer_id, product_id, region, department, channel, status, quantity, amount, ordered_at) VALUES ${values.join(', ')}`);
    statements.push(`UPDATE customers SET name = '${canary}', country = '${canary}' WHERE customer_id = '${tenant}'`);
  }
  return statements;
}

export const QUERY_LIMITS_FOR_TESTS: QueryLimits = { maxRows: 50_000, defaultRows: 1_000, queryTimeoutMs: 20_000, resultCacheEntries: 1_000, resultCacheTtlMs: 60_000 };

export interface Warehouses {
  model: Model;
  duckdb: Connector;
  postgres: Connector;
  /** The DuckDB warehouse file. */
  duckdbPath: string;
  /** Connection URL of the PostgreSQL warehouse (search_path pinned to its schema). */
  postgresUrl: string;
  schema: string;
  close(): Promise<void>;
}

/** Generate `orders` demo rows into a temp DuckDB file and a unique PostgreSQL schema, add canaries, open both read-only. */
export async function openWarehouses(orders: number, prefix: string): Promise<Warehouses> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const path = join(dir, 'warehouse.duckdb');
  const schema = uniqueSchema(prefix);
  await generateDemoWarehouse({ path, orders, quiet: true });
  await loadDemoIntoPostgres({ url: TEST_DATABASE_URL, schema, sourcePath: path, orders, quiet: true });
  const writable = await DuckDBInstance.create(path);
  const connection = await writable.connect();
  for (const statement of canaryStatements()) await connection.run(statement);
  connection.closeSync();
  writable.closeSync();
  await withAdminClient(async (client) => {
    await client.query(`SET search_path = ${schema}`);
    for (const statement of canaryStatements()) await client.query(statement);
  });
  const postgresUrl = `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const duckdb = await createConnector({ type: 'duckdb', path, readOnly: true });
  // Generous: the concurrency test queues 1,000 requests on a pool of 8 on a shared 2-core machine.
  const postgres = await createConnector({ type: 'postgres', url: postgresUrl, poolSize: 8, connectTimeoutMs: 60_000 });
  const model = await loadModel(MODEL_DIR);
  return {
    model,
    duckdb,
    postgres,
    duckdbPath: path,
    postgresUrl,
    schema,
    async close() {
      await duckdb.close();
      await postgres.close();
      rmSync(dir, { recursive: true, force: true });
      await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
    },
  };
}

export interface MySqlWarehouse {
  connector: Connector;
  database: string;
  close(): Promise<void>;
}

/**
 * The same demo rows in a unique MariaDB/MySQL database, copied from a generated DuckDB file
 * (its generated orders only), plus the same canary rows, opened through the MySQL connector.
 */
export async function openMySqlWarehouse(duckdbPath: string, prefix: string): Promise<MySqlWarehouse> {
  const database = uniqueDatabase(prefix);
  const url = mysqlUrlFor(database);
  await loadDemoIntoMysql({ url, sourcePath: duckdbPath, quiet: true });
  await withMySqlAdmin(async (admin) => {
    await admin.query(`USE \`${database}\``);
    for (const statement of canaryStatements()) await admin.query(statement);
  });
  const connector = await createConnector({ type: 'mysql', url, poolSize: 8, connectTimeoutMs: 60_000 });
  return {
    connector,
    database,
    async close() {
      await connector.close();
      await withMySqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${database}\``));
    },
  };
}

/** A full Perch (embedded store) serving the query routes over one connector. */
export async function startQueryPerch(model: Model, connector: Connector, limits: Partial<QueryLimits> = {}): Promise<{ perch: TestPerch; service: QueryService }> {
  const service = new QueryService({ model, connector, limits: { ...QUERY_LIMITS_FOR_TESTS, ...limits } });
  const perch = await startTestPerch('embedded', { app: { modules: queryRouteModules(service) }, overrides: { limits: { tokenRatePerMinute: 1_000_000, apiKeyRatePerMinute: 1_000_000 } } });
  return { perch, service };
}

export interface TestUser {
  distinctId?: string;
  role?: 'viewer' | 'explorer' | 'maker' | 'admin';
  attributes?: Record<string, unknown>;
  dashboards?: string[] | '*';
}

/** Mint a token through `POST /v1/embed/tokens` (the real path, validation included). */
export async function mintFor(perch: TestPerch, user: TestUser): Promise<string> {
  const response = await perch.app.inject({
    method: 'POST',
    url: '/v1/embed/tokens',
    headers: { authorization: `Bearer ${perch.adminKey}` },
    payload: {
      user: { distinctId: user.distinctId ?? 'user', role: user.role ?? 'explorer', attributes: user.attributes ?? {} },
      scope: { dashboards: user.dashboards ?? ['sales'] },
    },
  });
  if (response.statusCode !== 201) throw new Error(`mint failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { token: string }).token;
}

export function postQuery(perch: TestPerch, token: string, body: unknown) {
  return perch.app.inject({ method: 'POST', url: '/v1/query', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: JSON.stringify(body) });
}

/**
 * One Perch serving the query routes on both connectors: PostgreSQL at `/v1/…` and DuckDB under
 * the `/duckdb` prefix, behind the same embed-token verification, so table tests run every case
 * over HTTP on each connector with one store.
 */
export async function startDualPerch(warehouses: Warehouses, limits: Partial<QueryLimits> = {}): Promise<{ perch: TestPerch; prefix: Record<'postgres' | 'duckdb', string> }> {
  const { registerQueryRoutes } = await import('../../src/query/query-routes.js');
  const { registerCatalogRoutes } = await import('../../src/query/catalog-routes.js');
  const postgres = new QueryService({ model: warehouses.model, connector: warehouses.postgres, limits: { ...QUERY_LIMITS_FOR_TESTS, ...limits } });
  const duckdb = new QueryService({ model: warehouses.model, connector: warehouses.duckdb, limits: { ...QUERY_LIMITS_FOR_TESTS, ...limits } });
  const perch = await startTestPerch('embedded', {
    overrides: { limits: { tokenRatePerMinute: 1_000_000, apiKeyRatePerMinute: 1_000_000 } },
    app: {
      modules: [
        ...queryRouteModules(postgres),
        {
          kind: 'embed',
          register: async (app, ctx) => {
            await app.register(
              async (scope) => {
                registerQueryRoutes(scope, ctx, duckdb);
                registerCatalogRoutes(scope, ctx, duckdb);
              },
              { prefix: '/duckdb' },
            );
          },
        },
      ],
    },
  });
  return { perch, prefix: { postgres: '', duckdb: '/duckdb' } };
}
