/**
 * The whole embedding path for end-to-end tests and the embed benchmark: a demo warehouse with
 * other tenants' canary rows, a real Perch (`startPerch`), the real demo host on another origin
 * (authorized through `PUT /v1/workspace/origins`), and the web components built fresh.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { startDemoHost, type DemoHost } from '@perch/demo-host';
import { buildEmbed } from '@perch/embed/testing';
import { loadConfig } from '../../src/config.js';
import { startPerch, type RunningPerch } from '../../src/server.js';
import { generateDemoWarehouse } from '../../src/demo/index.js';
import type { Clock } from '../../src/store/clock.js';

export const MODEL_DIR = new URL('../../../../model/', import.meta.url).pathname;

/** Values that exist only in other tenants' rows; they must never reach a page of another tenant. */
export const CANARIES = { globex: 'CANARY_GLOBEX_e2e_5d1c', initech: 'CANARY_INITECH_e2e_88ab' } as const;
/** A dimension value in acme's own data that would run script if rendered as HTML. */
export const XSS_VALUE = '<img src=x onerror=alert(1)>';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A clock tests can move forward, so a token expires without waiting. */
export class MovableClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** `TIMESTAMP '…'` for the 15th of the month `monthsAgo` before the current one: inside "last 12 months" today and later. */
function monthsAgo(months: number): string {
  const now = new Date();
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - months, 15, 12));
  return `TIMESTAMP '${day.toISOString().slice(0, 19).replace('T', ' ')}'`;
}

/** Test-only SQL: canary orders for two tenants and one acme order whose region is markup. */
function fixtureStatements(): string[] {
  const statements: string[] = [];
  let id = 950_000_000;
  for (const [tenant, canary] of Object.entries(CANARIES)) {
    const values: string[] = [];
    for (let i = 0; i < 30; i++) {
      const department = ['sales', 'finance', 'marketing', 'support', 'operations'][i % 5]!;
      values.push(`(${id++}, '${tenant}', ${1 + i}, '${canary}', '${department}', '${canary}', 'completed', 1, ${(5000 + i).toFixed(2)}, ${monthsAgo(1 + (i % 9))})`);
    }
    statements.push(`INSERT INTO orders (order_id, customer_id, product_id, region, department, channel, status, quantity, amount, ordered_at) VALUES ${values.join(', ')}`);
  }
  statements.push(
    `INSERT INTO orders (order_id, customer_id, product_id, region, department, channel, status, quantity, amount, ordered_at) VALUES (${id++}, 'acme', 1, '${XSS_VALUE}', 'sales', 'web', 'completed', 1, 77.7, ${monthsAgo(2)})`,
  );
  return statements;
}

export interface EmbedStack {
  perch: RunningPerch;
  host: DemoHost;
  adminKey: string;
  warehousePath: string;
  distDir: string;
  /** The build manifest of the bundle being served (sizes included). */
  manifest: Record<string, unknown>;
  clock: MovableClock;
  /** Read-only SQL on the warehouse: the tests' independent oracle. */
  sql<T = Record<string, unknown>>(text: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface EmbedStackOptions {
  orders: number;
  /** Canary and markup rows (tests); the benchmark runs on the plain demo warehouse. */
  fixtures?: boolean;
  tokenTtlSeconds?: number;
  /** Reuse an existing warehouse file instead of generating a temporary one. */
  warehousePath?: string;
  /** Extra `limits` (e.g. `{ resultCacheEntries: 0 }` for cold-query benchmarks). */
  limits?: Record<string, number>;
  log?: (message: string) => void;
  /** A semantic model directory other than the repository's `model/` (a test's variant of it). */
  modelDir?: string;
}

/**
 * Start the stack. The admin key is a live key, so origin checks are the production ones
 * (development keys would also accept any loopback origin).
 */
export async function startEmbedStack(options: EmbedStackOptions): Promise<EmbedStack> {
  const directory = await mkdtemp(join(tmpdir(), 'perch-e2e-'));
  const warehousePath = options.warehousePath ?? join(directory, 'warehouse.duckdb');
  const distDir = join(directory, 'embed-dist');
  const log = options.log ?? (() => undefined);
  log('building the web components');
  const manifest = (await buildEmbed({ outdir: distDir })) as unknown as Record<string, unknown>;
  log(`generating the demo warehouse (${options.orders} orders)`);
  await generateDemoWarehouse({ path: warehousePath, orders: options.orders, quiet: true });
  if (options.fixtures ?? true) {
    const writable = await DuckDBInstance.create(warehousePath);
    const connection = await writable.connect();
    for (const statement of fixtureStatements()) await connection.run(statement);
    connection.closeSync();
    writable.closeSync();
  }

  const adminKey = `pk_live_${Array.from({ length: 43 }, () => BASE62[randomInt(BASE62.length)]).join('')}`;
  const config = loadConfig({
    env: { PERCH_BOOTSTRAP_API_KEY: adminKey },
    cwd: directory,
    overrides: {
      host: '127.0.0.1',
      dataDir: join(directory, 'data'),
      modelDir: options.modelDir ?? MODEL_DIR,
      logLevel: 'silent',
      warehouse: { type: 'duckdb', path: warehousePath, demo: false },
      limits: { tokenRatePerMinute: 1_000_000, apiKeyRatePerMinute: 1_000_000, ...options.limits },
    },
  });
  const clock = new MovableClock();
  const previousDist = process.env.PERCH_EMBED_DIST;
  process.env.PERCH_EMBED_DIST = distDir;
  let perch: RunningPerch;
  try {
    perch = await startPerch({ config, port: 0, overrides: { clock } });
  } finally {
    if (previousDist === undefined) delete process.env.PERCH_EMBED_DIST;
    else process.env.PERCH_EMBED_DIST = previousDist;
  }
  const host = await startDemoHost({ port: 0, host: '127.0.0.1', perchUrl: perch.url, apiKey: adminKey, ...(options.tokenTtlSeconds ? { ttlSeconds: options.tokenTtlSeconds } : {}) });
  const origins = await fetch(`${perch.url}/v1/workspace/origins`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ origins: [new URL(host.url).origin] }),
  });
  if (!origins.ok) throw new Error(`PUT /v1/workspace/origins failed: ${origins.status} ${await origins.text()}`);

  // Perch holds the file read-only; a second read-only instance is the oracle.
  const oracle = await DuckDBInstance.create(warehousePath, { access_mode: 'READ_ONLY' });
  const oracleConnection = await oracle.connect();
  return {
    perch,
    host,
    adminKey,
    warehousePath,
    distDir,
    manifest,
    clock,
    async sql<T>(text: string): Promise<T[]> {
      return (await oracleConnection.runAndReadAll(text)).getRowObjectsJson() as T[];
    },
    async close() {
      oracleConnection.closeSync();
      oracle.closeSync();
      await host.close();
      await perch.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Mint a token straight through the API (as a host backend would), bound to no origin. */
export async function mintToken(stack: EmbedStack, user: { distinctId: string; role: string; attributes: Record<string, unknown> }, dashboards: string[] | '*' = ['sales']): Promise<string> {
  const response = await fetch(`${stack.perch.url}/v1/embed/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user, scope: { dashboards } }),
  });
  if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}
