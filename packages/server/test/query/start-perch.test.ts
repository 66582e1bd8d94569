/**
 * The wiring: `startPerch` loads the model, generates and opens the demo warehouse, serves the
 * query routes and reports the warehouse in `/readyz`; and a client that goes away cancels its
 * statement.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import type { GovernedSql } from '@perch/engine';
import { loadConfig } from '../../src/config.js';
import { startPerch } from '../../src/server.js';
import { createConnector, type Connector, type ExecuteOptions } from '../../src/connectors/index.js';
import { generateDemoWarehouse } from '../../src/demo/index.js';
import { QueryService } from '../../src/query/index.js';
import { queryRouteModules } from '../../src/query/route-modules.js';
import { startTestPerch, TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { MODEL_DIR, QUERY_LIMITS_FOR_TESTS, mintFor } from './warehouse-fixture.js';
import { loadModel } from '@perch/engine';

const dir = mkdtempSync(join(tmpdir(), 'perch-qstart-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startPerch with the query module', () => {
  it('generates the demo warehouse, answers governed queries and reports the warehouse as ready', async () => {
    const config = loadConfig({
      env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
      cwd: dir,
      overrides: { logLevel: 'silent', modelDir: MODEL_DIR, dataDir: join(dir, 'data'), warehouse: { type: 'duckdb', path: 'warehouse.duckdb', demo: true, demoOrders: 2_000 } },
    });
    const perch = await startPerch({ config, port: 0 });
    try {
      const minted = await fetch(`${perch.url}/v1/embed/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { distinctId: 'e', role: 'explorer', attributes: { customerId: 'wonka', department: 'finance' } } }),
      });
      expect(minted.status).toBe(201);
      const { token } = (await minted.json()) as { token: string };
      const response = await fetch(`${perch.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: 'orders', measures: ['orders'], dimensions: ['customer_id'] }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { rows: Array<{ customer_id: string; orders: number }> };
      expect(body.rows).toEqual([{ customer_id: 'wonka', orders: expect.any(Number) }]);
      expect(body.rows[0]!.orders).toBeGreaterThan(0);
      const ready = await fetch(`${perch.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.warehouse).toBe('ok');
    } finally {
      await perch.close();
    }
  }, 180_000);
});

describe('client disconnect', () => {
  it('aborts the statement of a client that goes away before its answer', async () => {
    const path = join(dir, 'cancel.duckdb');
    await generateDemoWarehouse({ path, orders: 1_000, quiet: true });
    const duckdb = await createConnector({ type: 'duckdb', path, readOnly: true });
    let seen: ExecuteOptions | undefined;
    let resolveAborted: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => (resolveAborted = resolve));
    // A connector that holds every statement until it is cancelled, then lets DuckDB refuse it.
    const held: Connector = {
      dialect: 'duckdb',
      execute(query: GovernedSql, options?: ExecuteOptions) {
        seen = options;
        return new Promise((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => {
            resolveAborted();
            reject(new PerchError('query_cancelled'));
          });
          void query;
        });
      },
      ping: () => duckdb.ping(),
      close: () => duckdb.close(),
    };
    const service = new QueryService({ model: await loadModel(MODEL_DIR), connector: held, limits: QUERY_LIMITS_FOR_TESTS });
    const perch = await startTestPerch('embedded', { app: { modules: queryRouteModules(service) } });
    try {
      const address = await perch.app.listen({ host: '127.0.0.1', port: 0 });
      const token = await mintFor(perch, { role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } });
      const payload = JSON.stringify({ dataset: 'orders', measures: ['orders'] });
      const request = httpRequest(`${address}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } });
      request.on('error', () => undefined);
      request.end(payload);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen?.signal?.aborted).toBe(false);
      request.destroy();
      await aborted;
      expect(seen?.signal?.aborted).toBe(true);
      expect(seen?.timeoutMs).toBe(QUERY_LIMITS_FOR_TESTS.queryTimeoutMs);
      expect(seen?.maxRows).toBe(QUERY_LIMITS_FOR_TESTS.maxRows);
      // The refusal after compile is audited with what was asked.
      await expect.poll(() => perch.audit.events.find((e) => e.action === 'query.run')).toMatchObject({
        outcome: 'refused',
        code: 'query_cancelled',
        resource: 'dataset:orders',
        details: { dataset: 'orders', members: ['orders'], policies: expect.arrayContaining(['orders.tenant']) },
      });
    } finally {
      await perch.close();
      await held.close();
    }
  }, 180_000);
});
