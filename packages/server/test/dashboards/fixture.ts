/**
 * A small demo warehouse (DuckDB) with other tenants' canary rows, and a Perch with the query and
 * dashboard modules over it, on either metadata store. Tokens are minted through the real route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadModel, type Model } from '@perch/engine';
import { createConnector, type Connector } from '../../src/connectors/index.js';
import { generateDemoWarehouse } from '../../src/demo/index.js';
import { QueryService } from '../../src/query/index.js';
import { queryRouteModules } from '../../src/query/route-modules.js';
import { createDashboardModule } from '../../src/dashboards/index.js';
import { loadConfig } from '../../src/config.js';
import { createPerchContext } from '../../src/context.js';
import { buildApp } from '../../src/app.js';
import type { StoreKind } from '../../src/store/database.js';
import type { Clock } from '../../src/store/clock.js';
import { openTestStore } from '../helpers/stores.js';
import { MemoryAuditSink } from '../helpers/memory-audit.js';
import { TEST_ADMIN_KEY, type TestPerch } from '../helpers/test-perch.js';
import { ALL_CANARIES, CANARIES, QUERY_LIMITS_FOR_TESTS, canaryStatements } from '../query/warehouse-fixture.js';

export { ALL_CANARIES, CANARIES };
export const MODEL_DIR = new URL('../../../../model/', import.meta.url).pathname;

/** Cells of acme's own rows that a spreadsheet would run as formulas. */
export const FORMULA_CHANNEL = '=HYPERLINK("http://evil.example","x")';
export const FORMULA_REGION = '@SUM(1+1)';

export interface DuckWarehouse {
  path: string;
  model: Model;
  connector: Connector;
  /** Run SQL on a separate read-only handle (the tests' independent oracle). */
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

/** Generate a demo warehouse, add canary rows for globex and initech and formula cells for acme. */
export async function openDuckWarehouse(orders: number, prefix: string): Promise<DuckWarehouse> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const path = join(dir, 'warehouse.duckdb');
  await generateDemoWarehouse({ path, orders, quiet: true });
  const writable = await DuckDBInstance.create(path);
  const connection = await writable.connect();
  for (const statement of canaryStatements()) await connection.run(statement);
  await connection.run(
    `INSERT INTO orders (order_id, customer_id, product_id, region, department, channel, status, quantity, amount, ordered_at) VALUES
     (910000001, 'acme', 1, '${FORMULA_REGION}', 'sales', '${FORMULA_CHANNEL.replace(/'/g, "''")}', 'completed', 1, 12.5, TIMESTAMP '2026-06-01 10:00:00')`,
  );
  connection.closeSync();
  writable.closeSync();
  const connector = await createConnector({ type: 'duckdb', path, readOnly: true });
  const oracle = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const oracleConnection = await oracle.connect();
  const model = await loadModel(MODEL_DIR);
  return {
    path,
    model,
    connector,
    async sql<T>(text: string): Promise<T[]> {
      const reader = await oracleConnection.runAndReadAll(text);
      return reader.getRowObjectsJson() as T[];
    },
    async close() {
      oracleConnection.closeSync();
      oracle.closeSync();
      await connector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Perch (real store, crypto, Fastify) with the query and dashboard modules, driven by `inject`. */
export async function startDashboardPerch(
  kind: StoreKind,
  warehouse: DuckWarehouse,
  options: { clock?: Clock; now?: Date; limits?: Record<string, unknown> } = {},
): Promise<TestPerch & { service: QueryService }> {
  const { store, dispose } = await openTestStore(kind);
  const config = loadConfig({
    env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
    cwd: process.cwd(),
    overrides: { logLevel: 'silent', limits: { tokenRatePerMinute: 1_000_000, apiKeyRatePerMinute: 1_000_000, ...options.limits } },
  });
  const audit = new MemoryAuditSink();
  const ctx = await createPerchContext(config, { store, logger: pino({ level: 'silent' }), createAudit: async () => audit, ...(options.clock ? { clock: options.clock } : {}) });
  const now = options.now;
  const service = new QueryService({ model: warehouse.model, connector: warehouse.connector, limits: QUERY_LIMITS_FOR_TESTS, ...(now ? { now: () => now } : {}) });
  const app = await buildApp(ctx, { modules: [...queryRouteModules(service), ...createDashboardModule(ctx, service, warehouse.model)] });
  await app.ready();
  return {
    ctx,
    app,
    audit,
    adminKey: TEST_ADMIN_KEY,
    config,
    service,
    async close() {
      await app.close();
      await dispose();
    },
  };
}

export interface TestUser {
  distinctId?: string;
  role?: 'viewer' | 'explorer' | 'maker' | 'admin';
  attributes?: Record<string, unknown>;
  dashboards?: string[] | '*';
  ttlSeconds?: number;
}

export async function mintFor(perch: TestPerch, user: TestUser, apiKey = perch.adminKey): Promise<string> {
  const response = await perch.app.inject({
    method: 'POST',
    url: '/v1/embed/tokens',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: {
      user: { distinctId: user.distinctId ?? 'user', role: user.role ?? 'viewer', attributes: user.attributes ?? {} },
      scope: { dashboards: user.dashboards ?? ['sales'] },
      ...(user.ttlSeconds !== undefined ? { ttlSeconds: user.ttlSeconds } : {}),
    },
  });
  if (response.statusCode !== 201) throw new Error(`mint failed: ${response.statusCode} ${response.body}`);
  return (response.json() as { token: string }).token;
}

export function call(perch: TestPerch, token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) {
  return perch.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
}
