/**
 * An attribute's JSON type never changes how a policy column compares (DESIGN.md section 3).
 *
 * The warehouse holds tenants '42', '042', ' 42' and '+42' in a text column. Binding the number 42
 * against it made DuckDB cast the column (a 500 on a real file, and in memory a match of all four
 * tenants). Now a number against a text column is refused with 403 `rls_attribute_invalid` on every
 * route that reaches the warehouse, and the string "42" sees only '42'. The policy column types
 * come from the warehouse's catalog at startup, so this runs through `startPerch` on both
 * connectors; a model whose policy column the warehouse lacks does not start.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { ModelValidationError } from '@perch/engine';
import { loadConfig, type PerchConfig } from '../../src/config.js';
import { startPerch } from '../../src/server.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { TEST_DATABASE_URL, uniqueSchema, withAdminClient } from '../connectors/pg-test-helpers.js';

/** Tenant id → the label its one row carries; every label but '42''s is a canary. */
const TENANTS: ReadonlyArray<readonly [string, string, number]> = [
  ['42', 'row-of-42', 1],
  ['042', 'CANARY_ZERO_042', 2],
  [' 42', 'CANARY_SPACE_42', 3],
  ['+42', 'CANARY_PLUS_42', 4],
  ['43', 'CANARY_OTHER_43', 5],
];
const CANARIES = TENANTS.filter(([tenant]) => tenant !== '42').map(([, label]) => label);

const MODEL = `
datasets:
  ledger:
    title: Ledger
    source: { table: ledger }
    dimensions:
      label: { column: label, type: string, title: Label }
    measures:
      entries: { count: "*", title: Entries }
      total: { sum: amount, title: Total }
    # tenant_id has no dimension: its type comes from the warehouse's catalog alone.
    rowLevelSecurity: { id: ledger.tenant, column: tenant_id, equals: { attribute: tenantId } }
  levels:
    source: { table: ledger }
    dimensions:
      label: { column: label, type: string }
    measures:
      entries: { count: "*" }
    rowLevelSecurity: { id: levels.max, column: level, lte: { attribute: maxLevel } }
dashboards:
  - id: ledger
    title: Ledger
    filters:
      pickers:
        - { member: label, title: Label }
    charts:
      - { id: total, type: kpi, title: Total, query: { dataset: ledger, measures: [total] } }
    layout:
      - { chart: total, x: 0, y: 0, w: 12, h: 2 }
`;

const CREATE = 'CREATE TABLE ledger (tenant_id VARCHAR, label VARCHAR, level INTEGER, amount DOUBLE PRECISION)';
const INSERTS = TENANTS.map(([tenant, label, level]) => `INSERT INTO ledger VALUES ('${tenant}', '${label}', ${level}, ${level * 10.5})`);

const dir = mkdtempSync(join(tmpdir(), 'perch-attr-types-'));
const modelDir = join(dir, 'model');
const schema = uniqueSchema('attr_types');

beforeAll(async () => {
  mkdirSync(modelDir);
  writeFileSync(join(modelDir, 'ledger.yaml'), MODEL);
  const instance = await DuckDBInstance.create(join(dir, 'warehouse.duckdb'));
  const connection = await instance.connect();
  for (const statement of [CREATE, ...INSERTS]) await connection.run(statement);
  connection.closeSync();
  instance.closeSync();
  await withAdminClient(async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    await client.query(`SET search_path = ${schema}`);
    for (const statement of [CREATE, ...INSERTS]) await client.query(statement);
  });
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
});

const postgresUrl = () => `${TEST_DATABASE_URL}${TEST_DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

function configFor(connector: 'duckdb' | 'postgres', model = modelDir): PerchConfig {
  const warehouse = connector === 'duckdb' ? { type: 'duckdb' as const, path: join(dir, 'warehouse.duckdb'), demo: false } : { type: 'postgres' as const, url: postgresUrl() };
  return loadConfig({
    env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
    cwd: dir,
    overrides: { logLevel: 'silent', modelDir: model, dataDir: join(dir, `data-${connector}-${Math.random().toString(36).slice(2)}`), warehouse },
  });
}

describe.each(['duckdb', 'postgres'] as const)('policy columns compare in their own type (%s)', (connector) => {
  let perch: Awaited<ReturnType<typeof startPerch>>;
  beforeAll(async () => {
    perch = await startPerch({ config: configFor(connector), port: 0 });
  }, 120_000);
  afterAll(async () => perch?.close());

  async function mint(attributes: Record<string, unknown>): Promise<string> {
    const response = await fetch(`${perch.url}/v1/embed/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { distinctId: 'u', role: 'explorer', attributes }, scope: { dashboards: '*', assistant: true } }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { token: string }).token;
  }

  /** Every route that reaches the warehouse for this user, as [name, status, body text]. */
  async function everyRoute(token: string): Promise<Array<[string, number, string]>> {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const calls: Array<[string, string, string, unknown]> = [
      ['query', 'POST', '/v1/query', { dataset: 'ledger', measures: ['entries', 'total'], dimensions: ['label'] }],
      ['values', 'GET', '/v1/values?dataset=ledger&member=label', undefined],
      ['export', 'POST', '/v1/export', { dataset: 'ledger', measures: ['entries'], dimensions: ['label'] }],
      ['filter values', 'GET', '/v1/dashboards/ledger/filter-values?member=label', undefined],
      ['tiles', 'POST', '/v1/dashboards/ledger/tiles', {}],
      ['assistant', 'POST', '/v1/assistant/messages', { question: 'entries by label' }],
    ];
    const out: Array<[string, number, string]> = [];
    for (const [name, method, url, body] of calls) {
      const response = await fetch(`${perch.url}${url}`, { method, headers: body === undefined ? { authorization: headers.authorization } : headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      out.push([name, response.status, await response.text()]);
    }
    return out;
  }

  it('refuses the number 42 against the text tenant column with rls_attribute_invalid, on every route, and leaks nothing', async () => {
    const token = await mint({ tenantId: 42, maxLevel: 10 });
    const results = await everyRoute(token);
    for (const [name, status, text] of results) {
      expect(status, `${name}: ${text}`).toBeLessThan(500);
      for (const canary of [...CANARIES, 'row-of-42']) expect(text, name).not.toContain(canary);
      if (name === 'tiles') {
        // NDJSON: each tile carries its own error.
        expect(text).toContain('"rls_attribute_invalid"');
        continue;
      }
      expect(status, name).toBe(403);
      const body = JSON.parse(text) as { error: { code: string; path?: string } };
      expect(body.error.code, name).toBe('rls_attribute_invalid');
      expect(body.error.path, name).toBe('attributes.tenantId');
    }
  });

  it('lets the string "42" see exactly the row of tenant 42, and none of 042, " 42" or +42', async () => {
    const token = await mint({ tenantId: '42', maxLevel: 10 });
    const results = await everyRoute(token);
    for (const [name, status, text] of results) {
      expect(status, `${name}: ${text}`).toBe(200);
      for (const canary of CANARIES) expect(text, name).not.toContain(canary);
    }
    const query = JSON.parse(results[0]![2]) as { rows: Array<Record<string, unknown>> };
    expect(query.rows).toEqual([{ label: 'row-of-42', entries: 1, total: 10.5 }]);
    const values = JSON.parse(results[1]![2]) as { rows: unknown[] };
    expect(values.rows).toEqual([{ label: 'row-of-42' }]);
    const answer = JSON.parse(results[5]![2]) as { rows?: unknown[] };
    expect(JSON.stringify(answer)).toContain('row-of-42');
  });

  it('compares a numeric policy column with numbers only: the string "3" is refused, the number 3 filters', async () => {
    const refused = await fetch(`${perch.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ tenantId: '42', maxLevel: '3' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'levels', measures: ['entries'] }),
    });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string; path: string } }).error).toMatchObject({ code: 'rls_attribute_invalid', path: 'attributes.maxLevel' });
    const allowed = await fetch(`${perch.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint({ tenantId: '42', maxLevel: 3 })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'levels', measures: ['entries'] }),
    });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { rows: unknown[] }).rows).toEqual([{ entries: 3 }]);
  });

  it('refuses to start on a model whose policy column the warehouse lacks, naming file and path', async () => {
    const broken = join(dir, `broken-${connector}`);
    mkdirSync(broken);
    writeFileSync(join(broken, 'ledger.yaml'), MODEL.replace('column: tenant_id', 'column: tenant_key'));
    const failure = await startPerch({ config: configFor(connector, broken), port: 0 }).then(
      async (started) => {
        await started.close();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelValidationError);
    expect((failure as ModelValidationError).issues).toEqual([
      { file: 'ledger.yaml', path: 'datasets.ledger.rowLevelSecurity.column', message: 'column "tenant_key" does not exist in table "ledger"' },
    ]);
  }, 120_000);
});
