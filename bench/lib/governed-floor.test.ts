import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../../packages/engine/src/index.js';
import { createConnector, type Connector } from '../../packages/server/src/connectors/index.js';
import { generateDemoWarehouse } from '../../packages/server/src/demo/index.js';
import { QueryService } from '../../packages/server/src/query/index.js';
import { startBenchPerch, type BenchPerch } from './perch-instance.js';
import { startGovernedFloor, type GovernedFloor } from './governed-floor.js';

const body = JSON.stringify({ dataset: 'orders', measures: ['revenue', 'orders'], dimensions: ['region'] });

describe('startGovernedFloor', () => {
  let bench: BenchPerch;
  let connector: Connector;
  let floor: GovernedFloor;
  let directory: string;

  const mint = async (customerId: string): Promise<string> => {
    const response = await fetch(`${bench.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bench.adminKey}` },
      body: JSON.stringify({ user: { distinctId: `floor-${customerId}`, role: 'explorer', attributes: { customerId, department: 'finance' } }, ttlSeconds: 600 }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { token: string }).token;
  };
  const queryRuns = async (distinctId: string): Promise<Array<{ requestId: string }>> => {
    const response = await fetch(`${bench.url}/v1/audit?action=query.run&distinctId=${distinctId}&limit=100`, { headers: { authorization: `Bearer ${bench.adminKey}` } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { events: Array<{ requestId: string }> }).events;
  };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'perch-floor-test-'));
    bench = await startBenchPerch();
    // The same demo data as the Perch's warehouse (the generator is deterministic), opened separately.
    const path = join(directory, 'warehouse.duckdb');
    await generateDemoWarehouse({ path, orders: 1_000 });
    connector = await createConnector({ type: 'duckdb', path, readOnly: true });
    const model = await loadModel(join(import.meta.dirname, '..', '..', 'model'));
    floor = await startGovernedFloor(bench.perch.ctx, new QueryService({ model, connector, limits: bench.perch.ctx.config.limits }));
  }, 60_000);

  afterAll(async () => {
    await floor?.close();
    await connector?.close();
    await bench?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("answers exactly what Perch's route answers, and records the query.run event in Perch's trail", async () => {
    const token = await mint('acme');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const viaPerch = await fetch(`${bench.url}/v1/query`, { method: 'POST', headers, body });
    const viaFloor = await fetch(`${floor.url}/v1/query`, { method: 'POST', headers, body });
    expect(viaPerch.status).toBe(200);
    expect(viaFloor.status).toBe(200);
    const perchRows = ((await viaPerch.json()) as { rows: unknown[] }).rows;
    const floorRows = ((await viaFloor.json()) as { rows: unknown[] }).rows;
    expect(perchRows.length).toBeGreaterThan(0);
    expect(floorRows).toEqual(perchRows);
    // One event from Perch's route, one from the floor's: both durable before the answers came.
    expect(await queryRuns('floor-acme')).toHaveLength(2);
  });

  it('refuses a request without a valid token and records no query', async () => {
    const response = await fetch(`${floor.url}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' }, body });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await response.text()).not.toContain('region');
  });
});
