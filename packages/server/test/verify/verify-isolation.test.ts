/**
 * `perch verify-isolation` on a real warehouse, both connectors: the demo model passes, and three
 * broken models are each caught with their own code. The warehouse holds canary rows for two
 * tenants, which must never surface in another tenant's answers.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { verifyIsolation, type IsolationReport } from '../../src/verify/verify-isolation.js';
import { MODEL_DIR, openWarehouses, type Warehouses } from '../query/warehouse-fixture.js';

const run = promisify(execFile);
const DEMO = readFileSync(join(MODEL_DIR, 'demo.yaml'), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'perch-verify-'));
let warehouses: Warehouses;

beforeAll(async () => {
  warehouses = await openWarehouses(3_000, 'perch_verify');
}, 180_000);
afterAll(async () => {
  await warehouses?.close();
  rmSync(dir, { recursive: true, force: true });
});

function modelDir(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'model.yaml'), text);
  return path;
}

function duckdbPath(): string {
  return warehouses.duckdbPath;
}

function configFor(connector: 'duckdb' | 'postgres', model: string) {
  const warehouse = connector === 'duckdb' ? { type: 'duckdb' as const, path: duckdbPath(), demo: false } : { type: 'postgres' as const, url: warehouses.postgresUrl };
  return loadConfig({ env: {}, cwd: dir, overrides: { logLevel: 'silent', modelDir: model, dataDir: join(dir, 'data'), warehouse } });
}

function codes(report: IsolationReport): string[] {
  return [...new Set(report.findings.map((f) => f.code))].sort();
}

/** A copy of `orders` with no policy: every tenant's rows, public. */
const PUBLIC_ORDERS = DEMO.replace(
  '  products:\n',
  `  all_orders:
    source: { table: orders }
    dimensions: { region: { column: region, type: string } }
    measures: { orders: { count: "*" } }
    rowLevelSecurity: none

  products:
`,
);
/** The customers dataset made public: the orders → customer join then reads every tenant's customer. */
const UNSCOPED_JOIN = DEMO.replace(/    rowLevelSecurity:\n      id: customers\.tenant\n      column: customer_id\n      equals: \{ attribute: customerId \}\n/, '    rowLevelSecurity: none\n');
/** The tenant policy names a column the orders table does not have. */
const MISSING_COLUMN = DEMO.replace('          column: customer_id\n          equals: { attribute: customerId }', '          column: tenant_key\n          equals: { attribute: customerId }');

describe.each(['duckdb', 'postgres'] as const)('perch verify-isolation (%s)', (connector) => {
  it('passes the demo model: sampled tenants, generated queries equal to reference SQL, no foreign value', async () => {
    const report = await verifyIsolation(configFor(connector, MODEL_DIR), { tenants: 4, queries: 25 });
    expect(JSON.stringify(report.findings)).toBe('[]');
    expect(report.ok).toBe(true);
    expect(report.tenantAttribute).toBe('customerId');
    expect(report.tenants).toHaveLength(4);
    expect(report.queries).toBe(100);
    expect(report.differentialSkipped).toBeNull();
  }, 120_000);

  it('catches a public dataset that carries customer_id', async () => {
    expect(PUBLIC_ORDERS).not.toBe(DEMO);
    const report = await verifyIsolation(configFor(connector, modelDir(`public-${connector}`, PUBLIC_ORDERS)), { tenants: 2, queries: 5 });
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['public_dataset_tenant_column']);
    expect(report.findings[0]).toMatchObject({ dataset: 'all_orders', file: 'model.yaml', path: 'datasets.all_orders.rowLevelSecurity', values: ['customer_id'] });
  }, 120_000);

  it('catches a join into an unscoped dataset holding tenant rows', async () => {
    expect(UNSCOPED_JOIN).not.toBe(DEMO);
    const report = await verifyIsolation(configFor(connector, modelDir(`join-${connector}`, UNSCOPED_JOIN)), { tenants: 2, queries: 5 });
    expect(report.ok).toBe(false);
    expect(codes(report)).toContain('join_unscoped_tenant_data');
    expect(report.findings.find((f) => f.code === 'join_unscoped_tenant_data')).toMatchObject({ dataset: 'orders', path: 'datasets.orders.joins.customer' });
  }, 120_000);

  it('catches a policy column missing from the table, with file and path, and skips the differential run', async () => {
    expect(MISSING_COLUMN).not.toBe(DEMO);
    const report = await verifyIsolation(configFor(connector, modelDir(`missing-${connector}`, MISSING_COLUMN)), { tenants: 2, queries: 5 });
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['policy_column_missing']);
    expect(report.findings[0]).toMatchObject({ dataset: 'orders', file: 'model.yaml', path: 'datasets.orders.rowLevelSecurity.all[0].column' });
    expect(report.differentialSkipped).not.toBeNull();
    expect(report.queries).toBe(0);
  }, 120_000);
});

describe('the command line', () => {
  const cli = join(MODEL_DIR, '..', 'packages', 'server', 'src', 'cli', 'main.ts');
  const env = () => ({ ...process.env, PERCH_WAREHOUSE_PATH: duckdbPath(), PERCH_LOG_LEVEL: 'silent' });

  it('exits 0 and prints the figures when isolation holds, and writes the JSON report', async () => {
    const json = join(dir, 'report.json');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, 'verify-isolation', '--tenants', '3', '--queries', '10', '--json', json], { cwd: join(MODEL_DIR, '..'), env: { ...env(), PERCH_MODEL_DIR: MODEL_DIR } });
    expect(stdout).toMatch(/Isolation holds: 3 tenants \(customerId\), 30 governed queries compared with reference SQL on duckdb, 0 violation\(s\)/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as IsolationReport;
    expect(report).toMatchObject({ ok: true, queries: 30, violations: 0 });
  }, 120_000);

  it('exits 1 and names the code, file and path on a violation', async () => {
    const model = modelDir('cli-public', PUBLIC_ORDERS);
    const failure = await run(process.execPath, ['--import', 'tsx', cli, 'verify-isolation', '--tenants', '2', '--queries', '3'], { cwd: join(MODEL_DIR, '..'), env: { ...env(), PERCH_MODEL_DIR: model } }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('VIOLATION public_dataset_tenant_column: model.yaml: datasets.all_orders.rowLevelSecurity:');
    expect(failure?.stdout).toContain('Isolation VIOLATED');
  }, 120_000);
});
