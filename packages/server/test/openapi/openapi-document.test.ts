/**
 * The served OpenAPI document is one a client generator can use: it validates with a maintained
 * OpenAPI validator, and every route has its request schema, a success response schema, a
 * security requirement and its error codes. The documented success schemas are checked against
 * real answers, and the documented request limits against real refusals.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_STATUS, ROLES, isErrorCode } from '@perch/protocol';
import type { OpenAPIV3 } from 'openapi-types';
import { loadConfig } from '../../src/config.js';
import { startPerch, type RunningPerch } from '../../src/server.js';
import { ROUTE_DOCS, routeKey } from '../../src/http/route-docs.js';
import { MODEL_DIR } from '../e2e/embed-stack.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';

let directory: string;
let perch: RunningPerch;
let document: OpenAPIV3.Document;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'perch-openapi-'));
  const config = loadConfig({
    env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
    cwd: directory,
    overrides: { logLevel: 'silent', modelDir: MODEL_DIR, dataDir: join(directory, 'data'), warehouse: { type: 'duckdb', path: 'warehouse.duckdb', demo: true, demoOrders: 1_000 } },
  });
  perch = await startPerch({ config, port: 0 });
  const response = await fetch(`${perch.url}/docs/json`);
  expect(response.status).toBe(200);
  document = (await response.json()) as OpenAPIV3.Document;
}, 300_000);

afterAll(async () => {
  await perch?.close();
  await rm(directory, { recursive: true, force: true });
});

/** Perch's routes as the OpenAPI document names them: `:id` → `{id}`; HEAD and hidden ones left out. */
function documentedRoutes(): Array<{ key: string; path: string; method: string }> {
  return perch.app.perchRoutes
    .filter((route) => route.method !== 'HEAD' && !(route.schema as { hide?: boolean } | undefined)?.hide && !route.url.startsWith('/docs'))
    .map((route) => ({ key: routeKey({ method: route.method, url: route.url }), path: route.url.replace(/:(\w+)/g, '{$1}'), method: String(route.method).toLowerCase() }));
}

function operation(path: string, method: string): OpenAPIV3.OperationObject {
  const item = document.paths[path] as Record<string, OpenAPIV3.OperationObject> | undefined;
  const op = item?.[method];
  if (!op) throw new Error(`${method.toUpperCase()} ${path} is not in the document`);
  return op;
}

function jsonBodySchema(op: OpenAPIV3.OperationObject): OpenAPIV3.SchemaObject {
  const body = op.requestBody as OpenAPIV3.RequestBodyObject | undefined;
  const schema = body?.content['application/json']?.schema as OpenAPIV3.SchemaObject | undefined;
  if (!schema) throw new Error('no JSON request body schema');
  return schema;
}

async function mint(body: unknown): Promise<Response> {
  return fetch(`${perch.url}/v1/embed/tokens`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('the OpenAPI document at /docs/json', () => {
  it('is a valid OpenAPI 3 document (swagger-parser)', async () => {
    const validated = await SwaggerParser.validate(structuredClone(document) as never);
    expect((validated as OpenAPIV3.Document).openapi).toMatch(/^3\./);
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(['apiKey', 'embedToken']);
  });

  it('documents every route: success schema, security requirement and error codes with their statuses', () => {
    const routes = documentedRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(30);
    for (const { key, path, method } of routes) {
      expect(ROUTE_DOCS[key], `${key} has no entry in http/route-docs.ts`).toBeDefined();
      const op = operation(path, method);
      expect(Array.isArray(op.security), `${key}: security`).toBe(true);
      const security = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
      if (path.startsWith('/v1/embed/tokens') || path.startsWith('/v1/api-keys') || path.startsWith('/v1/workspace') || path.startsWith('/v1/audit') || path.startsWith('/v1/access') || path.startsWith('/v1/token-keys') || path.startsWith('/v1/revocations')) {
        expect(security, key).toEqual(['apiKey']);
      } else if (path.startsWith('/v1/')) {
        expect(security, key).toEqual(['embedToken']);
      } else {
        expect(security, key).toEqual([]);
      }

      const statuses = Object.keys(op.responses);
      const success = statuses.filter((status) => status.startsWith('2'));
      expect(success, `${key}: one success response`).toHaveLength(1);
      const successResponse = op.responses[success[0]!] as OpenAPIV3.ResponseObject;
      if (success[0] !== '204') expect(Object.keys(successResponse.content ?? {}).length, `${key}: success content`).toBeGreaterThan(0);
      for (const media of Object.values(successResponse.content ?? {})) expect(media.schema, `${key}: success schema`).toBeDefined();

      const errorStatuses = statuses.filter((status) => Number(status) >= 400);
      expect(errorStatuses.length, `${key}: error responses`).toBeGreaterThan(0);
      for (const status of errorStatuses) {
        if (key === 'GET /readyz' && status === '503') continue; // readiness body, not an error body
        const schema = (op.responses[status] as OpenAPIV3.ResponseObject).content?.['application/json']?.schema as OpenAPIV3.SchemaObject;
        const error = (schema.properties?.error as OpenAPIV3.SchemaObject).properties!;
        const codes = (error.code as OpenAPIV3.SchemaObject).enum as string[];
        expect(codes.length, `${key} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(isErrorCode(code), `${key}: ${code} is a Perch error code`).toBe(true);
          expect(String(ERROR_STATUS[code as keyof typeof ERROR_STATUS]), `${key}: ${code} under ${status}`).toBe(status);
        }
      }
    }
  });

  it('has a request schema wherever a route reads a body, query string or path parameters', () => {
    for (const { key, path, method } of documentedRoutes()) {
      const op = operation(path, method);
      for (const name of path.match(/\{(\w+)\}/g) ?? []) {
        const parameter = (op.parameters as OpenAPIV3.ParameterObject[] | undefined)?.find((p) => p.in === 'path' && `{${p.name}}` === name);
        expect(parameter?.schema, `${key}: path parameter ${name}`).toBeDefined();
      }
    }
    const withBodies = ['POST /v1/embed/tokens', 'POST /v1/api-keys', 'PUT /v1/workspace/origins', 'POST /v1/revocations', 'POST /v1/access/explain', 'POST /v1/query', 'POST /v1/dashboards', 'PUT /v1/dashboards/{id}', 'POST /v1/dashboards/{id}/restore', 'POST /v1/dashboards/{id}/tiles', 'POST /v1/export', 'POST /v1/assistant/messages'];
    for (const entry of withBodies) {
      const [method, path] = entry.split(' ') as [string, string];
      expect(jsonBodySchema(operation(path, method.toLowerCase())).type ?? 'union', entry).toBeDefined();
    }
    const dashboard = jsonBodySchema(operation('/v1/dashboards', 'post'));
    expect(dashboard.required).toEqual(expect.arrayContaining(['id', 'title', 'charts']));
    const layoutItem = ((dashboard.properties!.layout as OpenAPIV3.SchemaObject) as OpenAPIV3.ArraySchemaObject).items as OpenAPIV3.SchemaObject;
    expect(Object.keys(layoutItem.properties ?? {}).sort()).toEqual(['chart', 'h', 'w', 'x', 'y']);
    expect(jsonBodySchema(operation('/v1/dashboards/{id}', 'put')).required).toEqual(expect.arrayContaining(['id', 'title', 'charts']));
  });

  it('documents the editor routes: strict bodies, If-Match where a write needs it, and their refusals', () => {
    const dashboard = jsonBodySchema(operation('/v1/dashboards', 'post'));
    expect(dashboard.additionalProperties).toBe(false);
    const restore = jsonBodySchema(operation('/v1/dashboards/{id}/restore', 'post'));
    expect(restore).toMatchObject({ additionalProperties: false, required: ['version'] });
    const ifMatch = (path: string, method: string) => (operation(path, method).parameters as OpenAPIV3.ParameterObject[] | undefined)?.find((p) => p.in === 'header' && p.name === 'if-match');
    expect(ifMatch('/v1/dashboards/{id}', 'put')?.required).toBe(true);
    expect(ifMatch('/v1/dashboards/{id}/restore', 'post')?.required).toBe(true);
    expect(ifMatch('/v1/dashboards/{id}', 'delete')?.required).not.toBe(true);
    const codes = (path: string, method: string, status: string) => {
      const response = operation(path, method).responses[status] as OpenAPIV3.ResponseObject | undefined;
      const schema = response?.content?.['application/json']?.schema as OpenAPIV3.SchemaObject | undefined;
      return ((schema?.properties?.error as OpenAPIV3.SchemaObject | undefined)?.properties?.code as OpenAPIV3.SchemaObject | undefined)?.enum ?? [];
    };
    expect(codes('/v1/dashboards/{id}', 'put', '428')).toEqual(['precondition_required']);
    expect(codes('/v1/dashboards/{id}', 'put', '409')).toEqual(expect.arrayContaining(['edit_conflict']));
    expect(codes('/v1/dashboards', 'post', '409')).toEqual(expect.arrayContaining(['too_many_dashboards', 'conflict']));
    expect(codes('/v1/dashboards', 'post', '400')).toEqual(expect.arrayContaining(['too_many_tiles']));
    expect(codes('/v1/dashboards/{id}/definition', 'get', '403')).toEqual(expect.arrayContaining(['role_forbidden', 'resource_forbidden']));
  });

  it('states the mint limits the server enforces: ttlSeconds 60–86,400 and role an enum', async () => {
    const body = jsonBodySchema(operation('/v1/embed/tokens', 'post'));
    const ttl = body.properties!.ttlSeconds as OpenAPIV3.SchemaObject;
    expect(ttl).toMatchObject({ type: 'integer', minimum: 60, maximum: 86_400 });
    const user = body.properties!.user as OpenAPIV3.SchemaObject;
    expect((user.properties!.role as OpenAPIV3.SchemaObject).enum).toEqual([...ROLES]);

    // The same limits, enforced with their own codes.
    const user0 = { distinctId: 'doc-user', role: 'viewer', attributes: { customerId: 'acme' } };
    for (const [ttlSeconds, status] of [[59, 400], [60, 201], [86_400, 201], [86_401, 400]] as const) {
      const response = await mint({ user: user0, ttlSeconds });
      expect(response.status, `ttlSeconds ${ttlSeconds}`).toBe(status);
      if (status === 400) expect(await response.json()).toMatchObject({ error: { code: 'ttl_out_of_range', path: 'ttlSeconds' } });
    }
    const owner = await mint({ user: { ...user0, role: 'owner' } });
    expect(owner.status).toBe(400);
    expect(await owner.json()).toMatchObject({ error: { code: 'unknown_role', path: 'user.role' } });
  });

  it('describes real answers: documented success schemas parse what Perch sends', async () => {
    const minted = await mint({ user: { distinctId: 'doc-user', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } }, scope: { dashboards: ['sales'] } });
    const mintBody: unknown = await minted.json();
    expect(minted.status).toBe(201);
    const success = (key: string) => {
      const doc = ROUTE_DOCS[key]!.success;
      if (!('json' in doc)) throw new Error(`${key} is not JSON`);
      return doc.json;
    };
    expect(success('POST /v1/embed/tokens').safeParse(mintBody).success).toBe(true);
    const token = (mintBody as { token: string }).token;
    const embed = { authorization: `Bearer ${token}` };
    const admin = { authorization: `Bearer ${TEST_ADMIN_KEY}` };
    const checks: Array<[string, string, RequestInit]> = [
      ['GET /v1/embed/session', '/v1/embed/session', { headers: embed }],
      ['GET /v1/catalog', '/v1/catalog', { headers: embed }],
      ['GET /v1/dashboards', '/v1/dashboards', { headers: embed }],
      ['GET /v1/dashboards/:id', '/v1/dashboards/sales', { headers: embed }],
      ['POST /v1/query', '/v1/query', { method: 'POST', headers: { ...embed, 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'orders', measures: ['orders'], dimensions: ['region'] }) }],
      ['GET /v1/api-keys', '/v1/api-keys', { headers: admin }],
      ['GET /v1/workspace/origins', '/v1/workspace/origins', { headers: admin }],
      ['GET /v1/audit', '/v1/audit?limit=5', { headers: admin }],
      ['GET /v1/audit/verify', '/v1/audit/verify', { headers: admin }],
      ['GET /healthz', '/healthz', {}],
      ['GET /readyz', '/readyz', {}],
    ];
    const maker = (await (await mint({ user: { distinctId: 'doc-maker', role: 'maker', attributes: { customerId: 'acme', department: 'sales' } }, scope: { dashboards: '*' } })).json()) as { token: string };
    const asMaker = { authorization: `Bearer ${maker.token}` };
    checks.push(['GET /v1/dashboards/:id/definition', '/v1/dashboards/sales/definition', { headers: asMaker }], ['GET /v1/dashboards/:id/versions', '/v1/dashboards/sales/versions', { headers: asMaker }]);
    for (const [key, path, init] of checks) {
      const response = await fetch(perch.url + path, init);
      expect(response.status, key).toBe(200);
      const parsed = success(key).safeParse(await response.json());
      expect(parsed.success, `${key}: ${parsed.success ? '' : JSON.stringify(parsed.error.issues.slice(0, 3))}`).toBe(true);
    }
  });
});
