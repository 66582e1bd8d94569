import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TEST_DATABASE_URL, dropSchema } from '../helpers/stores.js';

const REPLICA = fileURLToPath(new URL('./replica-process.ts', import.meta.url));

export const ADMIN_KEY = 'pk_live_' + 'P'.repeat(43);

/** PostgreSQL URL with a fixed search_path (how the warehouse connector is pointed at a schema). */
export function urlWithSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

export interface ClusterFixture {
  storeSchema: string;
  warehouseSchema: string;
  dir: string;
  tenants: string[];
  /** tenant → the marker every one of its rows carries in the `label` column. */
  canaries: Map<string, string>;
  dispose(): Promise<void>;
}

/**
 * A store schema, a warehouse schema with one table of `rowsPerTenant` rows per tenant (each
 * tenant's rows carry a random canary label), a semantic model with RLS on the tenant, and a
 * perch.yaml. Everything is unique to `prefix` plus random bytes, so parallel files never collide.
 */
export async function createClusterFixture(prefix: string, options: { tenants: number; rowsPerTenant?: number; config?: string }): Promise<ClusterFixture> {
  const id = randomBytes(4).toString('hex');
  const storeSchema = `${prefix}_store_${id}`;
  const warehouseSchema = `${prefix}_wh_${id}`;
  const tenants = Array.from({ length: options.tenants }, (_, i) => `tenant_${String(i).padStart(3, '0')}`);
  const canaries = new Map(tenants.map((t) => [t, `canary-${t}-${randomBytes(6).toString('hex')}`]));
  const rows = options.rowsPerTenant ?? 20;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`create schema "${warehouseSchema}"`);
    await client.query(`create table "${warehouseSchema}".events (tenant_id text not null, label text not null, region text not null, amount double precision not null, created_at timestamp not null)`);
    await client.query(
      `insert into "${warehouseSchema}".events
       select t.tenant, t.label, (array['emea','apac','amer'])[1 + (g % 3)], g * 1.5, timestamp '2026-01-01' + g * interval '1 hour'
       from unnest($1::text[], $2::text[]) as t(tenant, label), generate_series(1, $3::int) as g`,
      [tenants, tenants.map((t) => canaries.get(t)!), rows],
    );
  } finally {
    await client.end();
  }
  const dir = mkdtempSync(join(tmpdir(), `perch-${prefix}-`));
  mkdirSync(join(dir, 'model'));
  writeFileSync(
    join(dir, 'model', 'events.yaml'),
    `datasets:
  events:
    title: Events
    source: { table: events }
    dimensions:
      tenant: { column: tenant_id, type: string }
      label: { column: label, type: string }
      region: { column: region, type: string }
      created_at: { column: created_at, type: time }
    measures:
      amount: { sum: amount }
      events: { count: "*" }
    rowLevelSecurity:
      id: events.tenant
      column: tenant_id
      equals: { attribute: tenantId }
dashboards:
  - id: overview
    title: Overview
    charts:
      - { id: total, type: kpi, title: Total, query: { dataset: events, measures: [amount] } }
      - { id: by_label, type: table, title: By label, query: { dataset: events, measures: [events], dimensions: [label, region] } }
    layout:
      - { chart: total, x: 0, y: 0, w: 6, h: 2 }
      - { chart: by_label, x: 0, y: 2, w: 12, h: 4 }
`,
  );
  writeFileSync(
    join(dir, 'perch.yaml'),
    options.config ??
      `limits: { apiKeyRatePerMinute: 1000000, tokenRatePerMinute: 1000000 }
replication: { heartbeatMs: 200, resyncMs: 10000, maxStalenessMs: 1500 }
logLevel: warn
`,
  );
  return {
    storeSchema,
    warehouseSchema,
    dir,
    tenants,
    canaries,
    async dispose() {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(storeSchema);
      await dropSchema(warehouseSchema);
    },
  };
}

export interface Replica {
  url: string;
  child: ChildProcess;
  /** Everything the replica wrote to stderr (for failure messages). */
  stderr(): string;
  exited(): boolean;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  kill(): Promise<void>;
}

/** Start one replica as a child process (`node --import tsx`) on a free loopback port. */
export function startReplica(fixture: ClusterFixture, options: { storeUrl?: string; warehouseUrl?: string; env?: Record<string, string> } = {}): Promise<Replica> {
  const child = spawn(process.execPath, ['--import', 'tsx', REPLICA], {
    // The repository root, so `--import tsx` resolves; everything else is named by absolute path.
    cwd: process.cwd(),
    env: {
      PERCH_CONFIG: join(fixture.dir, 'perch.yaml'),
      PERCH_MODEL_DIR: join(fixture.dir, 'model'),
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.storeUrl ?? TEST_DATABASE_URL,
      PERCH_DATABASE_SCHEMA: fixture.storeSchema,
      PERCH_WAREHOUSE_URL: urlWithSchema(options.warehouseUrl ?? TEST_DATABASE_URL, fixture.warehouseSchema),
      PERCH_BOOTSTRAP_API_KEY: ADMIN_KEY,
      PERCH_HOST: '127.0.0.1',
      PERCH_PORT: '0',
      PERCH_DATA_DIR: join(fixture.dir, 'data'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let exited = false;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start; stderr: ${stderr}`)), 120_000);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (!line || exited) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        child,
        stderr: () => stderr,
        exited: () => exited,
        async stop() {
          if (!exited) child.kill('SIGTERM');
          return exit;
        },
        async kill() {
          if (!exited) child.kill('SIGKILL');
          await exit;
        },
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code}; stderr: ${stderr}`));
    });
  });
}

export interface Minted {
  token: string;
  tokenId: string;
}

/** Mint an embed token through a replica's HTTP API with the bootstrap admin key. */
export async function mint(url: string, user: { distinctId: string; tenant: string; role?: string }, extra: Record<string, unknown> = {}): Promise<Minted> {
  const response = await fetch(`${url}/v1/embed/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      user: { distinctId: user.distinctId, role: user.role ?? 'explorer', attributes: { tenantId: user.tenant } },
      scope: { dashboards: '*' },
      ...extra,
    }),
  });
  if (response.status !== 201) throw new Error(`mint failed: ${response.status} ${await response.text()}`);
  return (await response.json()) as Minted;
}

/** `GET /v1/embed/session` with a token; returns status and error code (if any). */
export async function session(url: string, token: string, origin?: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${url}/v1/embed/session`, { headers: { authorization: `Bearer ${token}`, ...(origin ? { origin } : {}) } });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

/** Admin API call with the bootstrap key. */
export async function admin(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Poll `probe` every 10 ms until it returns true; resolves with the milliseconds it took. */
export async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await probe()) return performance.now() - started;
    if (performance.now() - started > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
