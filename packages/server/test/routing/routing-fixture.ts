/**
 * Shared by the tenant-routing tests: a warehouse laid out schema-per-tenant (or
 * database-per-tenant) with canary rows in every tenant, the model that routes to it, and the
 * calls that reach the warehouse on every route.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { loadConfig, type PerchConfig } from '../../src/config.js';
import type { startPerch } from '../../src/server.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';

export type RunningPerch = Awaited<ReturnType<typeof startPerch>>;

/** A lowercase name prefix no other run uses: `rt<pid><random>`. */
export function uniquePrefix(tag: string): string {
  return `rt${tag}${process.pid}${Math.random().toString(36).slice(2, 7)}`;
}

/** The tenants of a fixture, by prefix: two routed tenants, a template, and a decoy outside the pattern. */
export function tenantsOf(prefix: string) {
  return {
    alpha: `${prefix}_t_alpha`,
    bravo: `${prefix}_t_bravo`,
    template: `${prefix}_template`,
    other: `${prefix}_other`,
    pattern: `^${prefix}_t_[a-z]{1,10}$`,
  };
}

/** Rows of each schema (database): visible labels per tenant, and canaries that must never show. */
export const ROWS: Record<'alpha' | 'bravo' | 'template' | 'other', ReadonlyArray<readonly [label: string, region: string, amount: number]>> = {
  alpha: [
    ['alpha-eu', 'EU', 10],
    ['alpha-us', 'US', 20],
    ['CANARY_ALPHA_RLS', 'XX', 30],
  ],
  bravo: [
    ['bravo-eu', 'EU', 1000],
    ['bravo-us', 'US', 2000],
    ['CANARY_BRAVO_RLS', 'XX', 3000],
  ],
  template: [['CANARY_TEMPLATE', 'EU', 7]],
  other: [['CANARY_OTHER', 'EU', 9]],
};

/** Statements creating the orders table of one schema (database) `name`, qualified by it. */
export function tableStatements(name: string, rows: ReadonlyArray<readonly [string, string, number]>): string[] {
  return [`CREATE TABLE ${name}.orders (label VARCHAR(64), region VARCHAR(8), amount DOUBLE PRECISION)`, ...rows.map(([label, region, amount]) => `INSERT INTO ${name}.orders VALUES ('${label}', '${region}', ${amount})`)];
}

/** The model: `orders` routed by `kind` on the `tenant` attribute, with a row policy inside. */
export function routedModel(kind: 'schema' | 'database', pattern: string, reference: string): string {
  return `
datasets:
  orders:
    title: Orders
    source:
      table: orders
      ${kind}: { attribute: tenant, pattern: "${pattern}", reference: ${reference} }
    dimensions:
      label: { column: label, type: string, title: Label }
      region: { column: region, type: string, title: Region }
    measures:
      orders: { count: "*", title: Orders }
      revenue: { sum: amount, title: Revenue }
    rowLevelSecurity: { id: orders.region, column: region, in: { attribute: regions } }
dashboards:
  - id: sales
    title: Sales
    filters:
      pickers:
        - { member: label, title: Label }
    charts:
      - { id: by_label, type: table, title: By label, query: { dataset: orders, measures: [revenue], dimensions: [label] } }
    layout:
      - { chart: by_label, x: 0, y: 0, w: 12, h: 4 }
`;
}

/** A config for `startPerch` with the model written to a fresh directory. */
export function routedConfig(model: string, warehouse: Record<string, unknown>): PerchConfig {
  const dir = mkdtempSync(join(tmpdir(), 'perch-routing-'));
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'routed.yaml'), model);
  return loadConfig({ env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY }, cwd: dir, overrides: { logLevel: 'silent', modelDir: join(dir, 'model'), dataDir: join(dir, 'data'), warehouse } });
}

/** An explorer token with these attributes. */
export async function mint(perch: RunningPerch, attributes: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${perch.url}/v1/embed/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user: { distinctId: `u-${String(attributes.tenant)}`, role: 'explorer', attributes }, scope: { dashboards: '*', assistant: true } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { token: string }).token;
}

export const QUERY = { dataset: 'orders', measures: ['revenue', 'orders'], dimensions: ['label'], order: [{ member: 'label', direction: 'asc' }] };

/** Every route that reaches the warehouse, as [name, status, body text]. */
export async function everyRoute(perch: RunningPerch, token: string): Promise<Array<[string, number, string]>> {
  const calls: Array<[string, string, string, unknown]> = [
    ['query', 'POST', '/v1/query', QUERY],
    ['values', 'GET', '/v1/values?dataset=orders&member=label', undefined],
    ['export', 'POST', '/v1/export', { dataset: 'orders', measures: ['revenue'], dimensions: ['label'] }],
    ['filter values', 'GET', '/v1/dashboards/sales/filter-values?member=label', undefined],
    ['tiles', 'POST', '/v1/dashboards/sales/tiles', {}],
    ['assistant', 'POST', '/v1/assistant/messages', { question: 'revenue by label' }],
  ];
  const out: Array<[string, number, string]> = [];
  for (const [name, method, url, body] of calls) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${perch.url}${url}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    out.push([name, response.status, await response.text()]);
  }
  return out;
}

/** The labels a tenant may see; everything else in ROWS is another tenant's, or hidden by RLS. */
export function visibleLabels(tenant: 'alpha' | 'bravo'): string[] {
  return ROWS[tenant].filter(([, region]) => region !== 'XX').map(([label]) => label);
}

export function foreignLabels(tenant: 'alpha' | 'bravo'): string[] {
  const own = new Set(visibleLabels(tenant));
  return Object.values(ROWS)
    .flat()
    .map(([label]) => label)
    .filter((label) => !own.has(label));
}

/** The values a tenant attribute must never be accepted as, given the fixture's names. */
export function refusedRoutes(prefix: string): unknown[] {
  const t = tenantsOf(prefix);
  return [
    `${t.alpha}"; DROP SCHEMA ${t.bravo} CASCADE; --`,
    `${t.alpha}' OR '1'='1`,
    `${t.alpha}\``,
    `${t.alpha}"`,
    `${t.alpha}.orders`,
    `${t.bravo}.${t.alpha}`,
    `${t.other}.orders`,
    t.alpha.toUpperCase(),
    t.alpha.replace('_t_alpha', '_t_Alpha'),
    t.alpha.replace('alpha', '\u0430lpha'), // Cyrillic а
    t.alpha.replace('alpha', 'alph\u0430'),
    `${t.alpha}\u200b`,
    ` ${t.alpha}`,
    `${t.alpha}\n`,
    t.other, // exists, fails the pattern
    t.template, // exists, fails the pattern
    'public',
    'information_schema',
    `${prefix}_t_zulu`, // fits the pattern, not in the catalog
    42,
    [t.alpha],
  ];
}

/**
 * `total` requests, alternating between the two tenants, `concurrency` at a time, over 25 query
 * shapes (so most answers come from the result cache): every answer must hold only its own
 * tenant's labels.
 */
export async function interleaved(perch: RunningPerch, tokens: Record<'alpha' | 'bravo', string>, total = 1000, concurrency = 20): Promise<{ ok: number; cacheHits: number }> {
  let next = 0;
  let ok = 0;
  let cacheHits = 0;
  const problems: string[] = [];
  async function worker(): Promise<void> {
    while (next < total) {
      const i = next++;
      const tenant = i % 2 === 0 ? 'alpha' : 'bravo';
      const response = await fetch(`${perch.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[tenant]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...QUERY, limit: 1 + (i % 25) }),
      });
      const text = await response.text();
      if (response.status !== 200) {
        problems.push(`#${i} ${tenant}: ${response.status} ${text}`);
        continue;
      }
      const body = JSON.parse(text) as { rows: Array<{ label: string }>; meta: { cacheHit: boolean } };
      const leaked = foreignLabels(tenant).filter((label) => text.includes(label));
      if (leaked.length > 0 || body.rows.length === 0 || !body.rows.every((row) => visibleLabels(tenant).includes(row.label))) problems.push(`#${i} ${tenant}: ${text}`);
      else ok += 1;
      if (body.meta.cacheHit) cacheHits += 1;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  expect(problems).toEqual([]);
  return { ok, cacheHits };
}
