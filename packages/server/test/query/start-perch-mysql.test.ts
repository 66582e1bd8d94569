/**
 * The wiring on MariaDB: `startPerch` with `warehouse: { type: mysql }` reads the policy column
 * types through the MySQL connector (a zero-row probe), answers governed queries for one tenant
 * only, and reports the warehouse in `/readyz`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPerch } from '../../src/server.js';
import { generateDemoWarehouse, loadDemoIntoMysql } from '../../src/demo/index.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { mysqlUrlFor, uniqueDatabase, withMySqlAdmin } from '../connectors/mysql-test-helpers.js';
import { CANARIES, canaryStatements, MODEL_DIR } from './warehouse-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'perch-qstart-my-'));
const database = uniqueDatabase('perch_qstart_my');

beforeAll(async () => {
  const path = join(dir, 'demo.duckdb');
  await generateDemoWarehouse({ path, orders: 2_000, quiet: true });
  await loadDemoIntoMysql({ url: mysqlUrlFor(database), sourcePath: path, quiet: true });
  await withMySqlAdmin(async (admin) => {
    await admin.query(`USE \`${database}\``);
    for (const statement of canaryStatements()) await admin.query(statement);
  });
}, 120_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withMySqlAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS \`${database}\``));
});

describe('startPerch on a MySQL/MariaDB warehouse', () => {
  it('answers governed queries for the token tenant only and reports the warehouse as ready', async () => {
    const config = loadConfig({
      env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY, PERCH_WAREHOUSE_URL: mysqlUrlFor(database) },
      cwd: dir,
      overrides: { logLevel: 'silent', modelDir: MODEL_DIR, dataDir: join(dir, 'data') },
    });
    expect(config.warehouse.type).toBe('mysql');
    const perch = await startPerch({ config, port: 0 });
    try {
      const minted = await fetch(`${perch.url}/v1/embed/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { distinctId: 'e', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } } }),
      });
      expect(minted.status).toBe(201);
      const { token } = (await minted.json()) as { token: string };
      const response = await fetch(`${perch.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: 'orders', measures: ['orders', 'revenue'], dimensions: ['customer_id', 'channel', 'customer.name'], timeDimension: { member: 'ordered_at', granularity: 'month' } }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      for (const canary of Object.values(CANARIES)) expect(text).not.toContain(canary);
      const body = JSON.parse(text) as { rows: Array<Record<string, unknown>> };
      expect(body.rows.length).toBeGreaterThan(0);
      expect(new Set(body.rows.map((row) => row.customer_id))).toEqual(new Set(['acme']));
      expect(String(body.rows[0]!['ordered_at.month'])).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
      const ready = await fetch(`${perch.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { checks: Record<string, string> }).checks.warehouse).toBe('ok');
    } finally {
      await perch.close();
    }
  }, 180_000);
});
