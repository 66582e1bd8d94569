/**
 * The `perch init` path every database takes, from the written starter model to queries under
 * row-level security: the PostgreSQL and MySQL/MariaDB tests load the same shop (customers,
 * products, orders with foreign keys, one unmodellable column, another tenant's canary rows)
 * with their own DDL and run this one scenario on it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPerch } from '../../src/server.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { perch } from './run-perch.js';

export const CANARY = 'CANARY_GLOBEX_init_7c2e';

/** Customers: acme (ours) and globex (another tenant, canary in every text column). */
export const CUSTOMER_ROWS: ReadonlyArray<readonly [number, string, string, string]> = [
  [1, 'acme', 'Acme', 'enterprise'],
  [2, 'globex', CANARY, CANARY],
];
export const PRODUCT_ROWS: ReadonlyArray<readonly [number, string, number]> = [
  [1, 'Widget', 9.5],
  [2, 'Gadget', 20],
];

/** Orders (id, customer_id, customer_ref, product_id, quantity, amount, status, ordered_at, paid): 30 acme, 10 globex. */
export function orderRows(now: Date = new Date()): Array<[number, string, number, number, number, number, string, Date, boolean]> {
  const rows: Array<[number, string, number, number, number, number, string, Date, boolean]> = [];
  for (let i = 1; i <= 40; i++) {
    const acme = i % 4 !== 0;
    rows.push([i, acme ? 'acme' : 'globex', acme ? 1 : 2, 1 + (i % 2), i, Number((i * 1.5).toFixed(2)), acme ? ['open', 'shipped', 'paid'][i % 3]! : CANARY, new Date(now.getTime() - i * 86_400_000), i % 2 === 0]);
  }
  return rows;
}

export interface InitScenario {
  /** Everything after `perch init`, `--out` included. */
  initArgs: string[];
  /** The `--out` directory. */
  out: string;
  /** A scratch directory for Perch's own data. */
  directory: string;
  /** How the orders table is written as a source (`schema.orders` when not the default schema). */
  ordersSource: string;
  /** The comment that names the one column init cannot model, e.g. `# "meta" (jsonb) is not modelled`. */
  skippedComment: string;
}

/** `PERCH_…=value` pairs of the `Serve it with:` line that `perch init` prints last. */
function serveEnvironment(out: string): Record<string, string> {
  const line = out.split('\n').find((l) => l.startsWith('Serve it with: '));
  expect(line, out).toBeDefined();
  return Object.fromEntries([...line!.matchAll(/(PERCH_[A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
}

/**
 * `perch init`, then `perch check` refusing the undecided RLS stubs, the stubs decided, `perch
 * check` passing, Perch started with exactly the environment init printed, and queries and the
 * starter dashboard answered for acme with globex's canary nowhere; a token without the policy's
 * attribute gets 403.
 *
 * @example
 * await initCheckAndServe({ initArgs: ['--from', url, '--out', out], out, directory, ordersSource: 'orders', skippedComment: '# "meta" (blob) is not modelled' });
 */
export async function initCheckAndServe(scenario: InitScenario): Promise<void> {
  const { out } = scenario;
  const init = await perch(['init', ...scenario.initArgs]);
  expect(init.err).toBe('');
  expect(init.exitCode).toBeUndefined();
  expect(init.out).toContain('3 datasets (customers, orders, products), dashboard orders_overview');
  const yaml = await readFile(join(out, 'starter.yaml'), 'utf8');
  expect(yaml).toContain(`source: { table: ${scenario.ordersSource} }`);
  expect(yaml).toContain('ordered_at: { column: ordered_at, type: time, title: Ordered at }');
  expect(yaml).toContain('paid: { column: paid, type: boolean, title: Paid }');
  expect(yaml).toContain('amount_sum: { sum: amount, title: Total amount }');
  expect(yaml).toContain('amount_avg: { avg: amount, title: Average amount }');
  expect(yaml).toContain('customers: { dataset: customers, on: { customer_ref: id } }');
  expect(yaml).toContain('products: { dataset: products, on: { product_id: id } }');
  // Keys are dimensions, never summed; an unmodellable column is left out and says so.
  expect(yaml).not.toMatch(/product_id_sum|customer_ref_sum|\bid_sum/);
  expect(yaml).toContain(scenario.skippedComment);
  expect(yaml).toContain('rowLevelSecurity: { undecided: { candidates: [customer_id] } }');
  expect(yaml).toContain('rowLevelSecurity: { undecided: { candidates: [] } }');

  const refused = await perch(['check', out]);
  expect(refused.exitCode).toBe(1);
  expect(refused.err).toContain('starter.yaml: datasets.orders.rowLevelSecurity: row-level security not decided yet (candidate tenant columns: customer_id)');
  expect(refused.err).toContain('rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }');
  expect(refused.err).toContain('starter.yaml: datasets.products.rowLevelSecurity: row-level security not decided yet (no tenant-like column was found');
  expect(refused.err).toMatch(/3 problem\(s\)/);

  // The developer decides: tenants by customer_id; the product list is public.
  const decided = yaml
    .replace('rowLevelSecurity: { undecided: { candidates: [] } }', 'rowLevelSecurity: none')
    .replaceAll('rowLevelSecurity: { undecided: { candidates: [customer_id] } }', 'rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }');
  await writeFile(join(out, 'starter.yaml'), decided);
  const ok = await perch(['check', out]);
  expect(ok.err).toBe('');
  expect(ok.out).toMatch(/^Model OK: 3 datasets, 1 dashboards/);

  const serve = serveEnvironment(init.out);
  expect(serve.PERCH_MODEL_DIR).toBe(out);
  const config = loadConfig({
    env: { ...serve, PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
    cwd: scenario.directory,
    overrides: { logLevel: 'silent', dataDir: join(scenario.directory, `data-${Date.now()}`) },
  });
  const running = await startPerch({ config, port: 0 });
  try {
    const mint = async (attributes: Record<string, string>) => {
      const response = await fetch(`${running.url}/v1/embed/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { distinctId: 'init-user', role: 'explorer', attributes }, scope: { dashboards: '*' } }),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as { token: string }).token;
    };
    const query = (token: string, body: unknown) =>
      fetch(`${running.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const acme = await mint({ customerId: 'acme' });
    const byStatus = await query(acme, { dataset: 'orders', measures: ['count', 'amount_sum'], dimensions: ['status', 'customers.name'] });
    const text = await byStatus.text();
    expect(byStatus.status, text).toBe(200);
    expect(text).not.toContain(CANARY);
    const rows = (JSON.parse(text) as { rows: Array<{ status: string; count: number; 'customers.name': string }> }).rows;
    expect(rows.map((r) => r.status).sort()).toEqual(['open', 'paid', 'shipped']);
    expect(rows.every((r) => r['customers.name'] === 'Acme')).toBe(true);
    expect(rows.reduce((sum, r) => sum + Number(r.count), 0)).toBe(30);

    // The starter dashboard opens and its tiles run under the same policy.
    const dashboard = await fetch(`${running.url}/v1/dashboards/orders_overview`, { headers: { authorization: `Bearer ${acme}` } });
    expect(dashboard.status).toBe(200);
    const total = await query(acme, { dashboard: 'orders_overview', chart: 'total' });
    expect(total.status).toBe(200);
    expect(((await total.json()) as { rows: Array<{ count: number }> }).rows[0]!.count).toBe(30);
    const byMonth = await query(acme, { dashboard: 'orders_overview', chart: 'by_ordered_at' });
    const monthText = await byMonth.text();
    expect(byMonth.status, monthText).toBe(200);
    expect(monthText).not.toContain(CANARY);
    expect((JSON.parse(monthText) as { rows: Array<{ count: number }> }).rows.reduce((sum, r) => sum + Number(r.count), 0)).toBe(30);

    // Default deny: without the attribute the policy needs, no rows at all.
    const stranger = await mint({ region: 'EMEA' });
    const denied = await query(stranger, { dataset: 'orders', measures: ['count'] });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('rls_attribute_missing');
  } finally {
    await running.close();
  }
}
