/**
 * What the OpenAPI document says about each route beyond its request schemas: the success
 * response, the security requirement (from the route's group) and the error codes it can answer
 * with. Request schemas stay on the routes themselves, next to the zod schemas that validate them.
 *
 * A route missing here is reported by `openapi.test.ts`, so a new route cannot be added undocumented.
 */
import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { ERROR_STATUS, ROLES, type ErrorCode } from '@perch/protocol';
import { jsonSchema } from './openapi.js';

/** How a route group authenticates (see app.ts). */
export type RouteGroup = 'public' | 'api-key' | 'embed';

/** A success answer: JSON described by a zod schema, or another media type as text. */
export type SuccessDoc =
  | { status: number; description: string; json: z.ZodType }
  | { status: number; description: string; media: readonly string[] }
  | { status: 204; description: string; empty: true };

export interface RouteDoc {
  success: SuccessDoc;
  /** Codes beyond those of the route's group and of request validation. */
  errors?: readonly ErrorCode[];
  /** Other non-error answers (e.g. `/readyz`'s 503, which has the same body as its 200). */
  also?: Record<number, { description: string; json: z.ZodType }>;
}

// Security requirements per group, named after the schemes registered in app.ts.
const SECURITY: Record<RouteGroup, Array<Record<string, string[]>>> = {
  public: [],
  'api-key': [{ apiKey: [] }],
  embed: [{ embedToken: [] }],
};

/** Every route of a group can answer with these (authentication, limits, fail-closed availability). */
const GROUP_ERRORS: Record<RouteGroup, readonly ErrorCode[]> = {
  public: ['internal_error'],
  'api-key': ['api_key_missing', 'api_key_invalid', 'api_key_revoked', 'api_key_expired', 'insufficient_scope', 'rate_limited', 'audit_unavailable', 'store_unavailable', 'freshness_unknown', 'internal_error'],
  embed: [
    'token_missing',
    'token_in_url',
    'token_too_large',
    'token_malformed',
    'token_header_invalid',
    'token_unknown_key',
    'token_decryption_failed',
    'token_claims_invalid',
    'token_wrong_issuer',
    'token_wrong_audience',
    'token_expired',
    'token_not_yet_valid',
    'token_revoked',
    'token_environment_mismatch',
    'origin_forbidden',
    'rate_limited',
    'audit_unavailable',
    'freshness_unknown',
    'internal_error',
  ],
};

/** Request validation: any route with a query string, path parameters or a body. */
const SHAPE_ERRORS: readonly ErrorCode[] = ['invalid_request', 'invalid_type', 'missing_field', 'unknown_field', 'value_too_large', 'nul_byte', 'forbidden_key'];
/** Parsing a JSON body (strict-json.ts and Fastify's limits). */
const BODY_ERRORS: readonly ErrorCode[] = ['invalid_json', 'duplicate_key', 'json_too_deep', 'body_too_large', 'unsupported_media_type'];
const ATTRIBUTE_ERRORS: readonly ErrorCode[] = ['unknown_role', 'invalid_attribute_key', 'invalid_attribute_value', 'too_many_attributes'];
/** A governed query: the semantic checks, access control and execution. */
const QUERY_ERRORS: readonly ErrorCode[] = [
  'unknown_dataset',
  'unknown_member',
  'unknown_operator',
  'unknown_granularity',
  'invalid_date_range',
  'invalid_filter_value',
  'invalid_limit',
  'filter_too_deep',
  'too_many_filters',
  'role_forbidden',
  'resource_forbidden',
  'dataset_forbidden',
  'member_forbidden',
  'rls_attribute_missing',
  'rls_attribute_invalid',
  'tenant_route_invalid',
  'scope_forbidden',
  'not_found',
  'result_too_large',
  'query_timeout',
  'datasource_unavailable',
];

const isoTime = z.string().describe('ISO 8601 date-time');
const ApiKeySummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  env: z.enum(['live', 'test']),
  scopes: z.array(z.enum(['tokens:create', 'admin'])),
  createdAt: isoTime,
  lastUsedAt: isoTime.nullable(),
  expiresAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
  replacedBy: z.string().nullable(),
});
const CreatedApiKeySchema = z.object({ key: z.string().describe('The full key, shown exactly once'), apiKey: ApiKeySummarySchema });
const ScopeSchema = z.object({ dashboards: z.union([z.literal('*'), z.array(z.string())]), assistant: z.boolean() });
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const QueryResultSchema = z.object({
  columns: z.array(z.object({ name: z.string(), type: z.string(), kind: z.enum(['dimension', 'measure', 'time']) })),
  rows: z.array(z.record(z.string(), cell)),
  meta: z.looseObject({ rowCount: z.number().int(), durationMs: z.number(), cacheHit: z.boolean(), requestId: z.string(), totals: z.record(z.string(), z.number().nullable()).optional(), truncated: z.boolean().optional() }),
});
const SemanticQueryEcho = z.looseObject({ dataset: z.string() }).describe('A semantic query (never SQL)');
const AuditEventSchema = z.looseObject({ workspace: z.string(), seq: z.number().int(), time: z.string(), action: z.string(), outcome: z.enum(['success', 'refused', 'error']), code: z.string().nullable(), hash: z.string(), prevHash: z.string() });
const DatasetAccessSchema = z.looseObject({
  dataset: z.string(),
  /** A dataset routed to a tenant schema or database: the one this user's queries would read. */
  route: z
    .object({
      kind: z.enum(['schema', 'database']),
      attribute: z.string(),
      pattern: z.string(),
      value: z.unknown().optional(),
      status: z.enum(['bound', 'attribute_missing', 'route_invalid', 'not_in_catalog']),
    })
    .optional()
    .describe('The tenant schema or database this user would read; present on routed datasets'),
  outcome: z.enum(['filtered', 'unrestricted', 'denied']),
  rowLevelSecurity: z.union([z.literal('none'), z.looseObject({})]),
  missingAttributes: z.array(z.string()),
  invalidAttributes: z.array(z.string()),
  hiddenMembers: z.array(z.string()),
});
const DashboardSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  source: z.enum(['model', 'saved']),
  version: z.number().int().optional(),
  updatedAt: isoTime.optional(),
  editable: z.boolean().describe('A saved dashboard, a maker or admin token, and every chart runnable by it'),
});
const DashboardDefinitionSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  charts: z.array(z.looseObject({ id: z.string(), type: z.enum(['kpi', 'bar', 'line', 'area', 'pie', 'table']), title: z.string().optional(), query: SemanticQueryEcho })),
  layout: z.array(z.object({ chart: z.string(), x: z.number().int(), y: z.number().int(), w: z.number().int(), h: z.number().int() })),
  filters: z.looseObject({ pickers: z.array(z.object({ member: z.string(), title: z.string().optional() })) }).optional(),
});
const DashboardViewSchema = z.looseObject({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  layout: z.object({ columns: z.literal(12), items: z.array(z.object({ chart: z.string(), x: z.number().int(), y: z.number().int(), w: z.number().int(), h: z.number().int() })) }),
  charts: z.array(z.looseObject({ id: z.string(), type: z.enum(['kpi', 'bar', 'line', 'area', 'pie', 'table']), title: z.string(), query: SemanticQueryEcho, permitted: z.boolean() })),
  filters: z.looseObject({ pickers: z.array(z.object({ member: z.string(), title: z.string() })) }),
  canExport: z.boolean(),
});
const SavedDashboardSchema = z.object({ id: z.string(), version: z.number().int() }).describe('Also sent as `ETag: "<version>"`');
/** Writes to a saved dashboard: who may, which version, and the saved-dashboard limits. */
const WRITE_ERRORS: readonly ErrorCode[] = ['role_forbidden', 'scope_forbidden', 'conflict', 'edit_conflict', 'too_many_tiles', 'model_invalid', ...QUERY_ERRORS];
const StatusSchema = z.object({ status: z.literal('ok') });
const ReadinessSchema = z.object({ status: z.enum(['ready', 'unavailable']), checks: z.record(z.string(), z.enum(['ok', 'unavailable'])) });

/** `METHOD url` (Fastify's url, `:id` style) → its documentation. */
export const ROUTE_DOCS: Readonly<Record<string, RouteDoc>> = {
  'GET /metrics': { success: { status: 200, description: 'Prometheus text exposition', media: ['text/plain'] } },
  'GET /healthz': { success: { status: 200, description: 'The process is alive', json: StatusSchema } },
  'GET /readyz': {
    success: { status: 200, description: 'The store and every data source answer', json: ReadinessSchema },
    also: { 503: { description: 'A dependency does not answer (which one is in `checks`)', json: ReadinessSchema } },
  },

  'POST /v1/embed/tokens': {
    success: { status: 201, description: 'The encrypted token, its id (for revocation) and its expiry', json: z.object({ token: z.string(), tokenId: z.string(), expiresAt: isoTime }) },
    errors: [...ATTRIBUTE_ERRORS, 'ttl_out_of_range', 'invalid_origin'],
  },
  'GET /v1/api-keys': { success: { status: 200, description: "The workspace's API keys (never the keys themselves)", json: z.object({ apiKeys: z.array(ApiKeySummarySchema) }) } },
  'POST /v1/api-keys': { success: { status: 201, description: 'The new key, shown once', json: CreatedApiKeySchema } },
  'DELETE /v1/api-keys/:id': { success: { status: 200, description: 'The revoked key', json: z.object({ apiKey: ApiKeySummarySchema }) }, errors: ['not_found', 'conflict'] },
  'POST /v1/api-keys/:id/rotate': { success: { status: 201, description: 'The replacement key, shown once; the old one works until the grace period ends', json: CreatedApiKeySchema }, errors: ['not_found', 'conflict'] },
  'GET /v1/workspace/origins': { success: { status: 200, description: 'Authorized origins, sorted', json: z.object({ origins: z.array(z.string()) }) } },
  'PUT /v1/workspace/origins': { success: { status: 200, description: 'The origins now authorized', json: z.object({ origins: z.array(z.string()) }) }, errors: ['invalid_origin'] },
  'POST /v1/token-keys/rotate': { success: { status: 201, description: 'The new active key id; older keys verify until `previousKeysValidUntil`', json: z.object({ kid: z.string(), previousKeysValidUntil: isoTime }) } },
  'POST /v1/revocations': {
    success: { status: 201, description: 'The stored revocation, applied on every replica', json: z.object({ id: z.string(), tokenId: z.string().optional(), distinctId: z.string().optional(), revokedAt: isoTime }) },
  },
  'GET /v1/audit': { success: { status: 200, description: 'One page of events, newest first', json: z.object({ events: z.array(AuditEventSchema), nextCursor: z.string().optional() }) } },
  'GET /v1/audit/export': { success: { status: 200, description: 'The whole filtered trail as NDJSON (default) or CSV', media: ['application/x-ndjson', 'text/csv'] } },
  'GET /v1/audit/verify': {
    success: {
      status: 200,
      description: 'Whether the hash chain verifies, and the first broken event if not',
      json: z.object({ ok: z.boolean(), checked: z.number().int(), firstBroken: z.object({ seq: z.number().int(), reason: z.string() }).optional(), lastSeq: z.number().int(), lastHash: z.string() }),
    },
  },
  'POST /v1/access/explain': {
    success: {
      status: 200,
      description: "The dataset's row-level security as it applies to that user, and each join's",
      json: DatasetAccessSchema.extend({ user: z.object({ distinctId: z.string(), role: z.enum(ROLES) }), joins: z.record(z.string(), DatasetAccessSchema.extend({ joinedDataset: z.string() })) }),
    },
    errors: [...ATTRIBUTE_ERRORS, 'unknown_dataset'],
  },

  'GET /v1/embed/session': {
    success: {
      status: 200,
      description: 'The verified session; attribute keys only, never their values',
      json: z.object({ distinctId: z.string(), role: z.enum(ROLES), scope: ScopeSchema, expiresAt: isoTime, env: z.enum(['live', 'test']), attributeKeys: z.array(z.string()) }),
    },
  },
  'POST /v1/query': { success: { status: 200, description: 'Rows under row-level security', json: QueryResultSchema }, errors: QUERY_ERRORS },
  'GET /v1/catalog': {
    success: {
      status: 200,
      description: 'Datasets and the members this user may see',
      json: z.object({
        datasets: z.array(
          z.object({
            name: z.string(),
            title: z.string(),
            description: z.string().optional(),
            members: z.array(z.looseObject({ name: z.string(), kind: z.enum(['dimension', 'measure']), type: z.enum(['string', 'number', 'boolean', 'time']), title: z.string(), synonyms: z.array(z.string()) })),
          }),
        ),
      }),
    },
  },
  'GET /v1/values': { success: { status: 200, description: 'Distinct values of the dimension, under row-level security', json: QueryResultSchema }, errors: QUERY_ERRORS },
  'GET /v1/dashboards': {
    success: { status: 200, description: 'Dashboards this token may open, and whether it may save new ones', json: z.object({ dashboards: z.array(DashboardSummarySchema), canCreate: z.boolean() }) },
  },
  'POST /v1/dashboards': { success: { status: 201, description: 'Saved; `version` (also the `ETag`) is needed to replace it', json: SavedDashboardSchema }, errors: [...WRITE_ERRORS, 'too_many_dashboards'] },
  'GET /v1/dashboards/:id': { success: { status: 200, description: 'The definition, with the charts this user may see marked `permitted`', json: DashboardViewSchema }, errors: ['scope_forbidden', 'not_found', 'conflict'] },
  'GET /v1/dashboards/:id/definition': {
    success: {
      status: 200,
      description: 'The stored definition for editing, without the charts this token cannot run (`omittedCharts`); a saved one also sends `ETag: "<version>"`',
      json: z.object({ definition: DashboardDefinitionSchema, source: z.enum(['model', 'saved']), version: z.number().int().optional(), editable: z.boolean(), omittedCharts: z.array(z.string()) }),
    },
    errors: ['role_forbidden', 'resource_forbidden', 'conflict'],
  },
  'GET /v1/dashboards/:id/versions': {
    success: {
      status: 200,
      description: 'Saved versions, newest first; the current one has `current: true`',
      json: z.object({ versions: z.array(z.object({ version: z.number().int(), savedAt: isoTime, savedBy: z.string(), title: z.string(), charts: z.number().int(), current: z.boolean() })) }),
    },
    errors: ['role_forbidden', 'resource_forbidden'],
  },
  'PUT /v1/dashboards/:id': { success: { status: 200, description: 'Replaced; the new version (also the `ETag`)', json: SavedDashboardSchema }, errors: [...WRITE_ERRORS, 'precondition_required'] },
  'POST /v1/dashboards/:id/restore': {
    success: { status: 200, description: 'A new version with the earlier definition (also the `ETag`)', json: SavedDashboardSchema },
    errors: [...WRITE_ERRORS, 'precondition_required'],
  },
  'DELETE /v1/dashboards/:id': { success: { status: 204, description: 'Deleted, with its versions', empty: true }, errors: ['role_forbidden', 'resource_forbidden', 'scope_forbidden', 'edit_conflict', 'not_found'] },
  'GET /v1/dashboards/:id/filter-values': { success: { status: 200, description: 'Distinct values of the filter, under row-level security', json: z.object({ values: z.array(cell) }) }, errors: QUERY_ERRORS },
  'POST /v1/dashboards/:id/tiles': {
    success: { status: 200, description: 'NDJSON: optional `session` and `definition` lines, then one line per tile (`{chart, result}` or `{chart, error}`) as each finishes', media: ['application/x-ndjson'] },
    errors: QUERY_ERRORS,
  },
  'POST /v1/export': { success: { status: 200, description: 'CSV with a header row', media: ['text/csv'] }, errors: QUERY_ERRORS },
  'POST /v1/rows': {
    success: {
      status: 200,
      description: 'One page of the rows behind the value (`format: "json"`), or all of them as CSV with a header row of titles (`format: "csv"`)',
      json: z.object({
        columns: z.array(z.object({ name: z.string(), type: z.string(), kind: z.string(), title: z.string() })),
        rows: z.array(z.record(z.string(), cell)),
        meta: z.object({ offset: z.number(), limit: z.number(), hasMore: z.boolean(), rowCount: z.number(), requestId: z.string() }),
      }),
    },
    errors: QUERY_ERRORS,
  },
  'POST /v1/assistant/messages': {
    success: {
      status: 200,
      description: 'The answer, the semantic query that ran, its rows, a chart suggestion and the restriction that applied (or, with `Accept: text/event-stream`, the same as `status`, `answer`, `result` and `error` events)',
      json: z.looseObject({
        conversationId: z.string(),
        answer: z.string(),
        query: SemanticQueryEcho.nullable(),
        data: QueryResultSchema.nullable(),
        chart: z.looseObject({}).nullable(),
        appliedFilters: z.string().nullable(),
        clarification: z.object({ question: z.string(), options: z.array(z.string()).optional() }).optional(),
      }),
    },
    errors: QUERY_ERRORS,
  },
  'GET /v1/assistant/conversations/:id': {
    success: {
      status: 200,
      description: "The caller's own conversation",
      json: z.object({ conversationId: z.string(), turns: z.array(z.object({ question: z.string(), query: SemanticQueryEcho.nullable(), answer: z.string() })) }),
    },
    errors: ['not_found', 'scope_forbidden', 'role_forbidden'],
  },
};

/** The error body every refusal has, with `code` narrowed to the codes this status can carry here. */
function errorResponse(status: number, codes: readonly ErrorCode[]): Record<string, unknown> {
  const body = z.object({
    error: z.object({
      code: z.enum(codes as [ErrorCode, ...ErrorCode[]]),
      message: z.string().describe('Client-safe; never SQL, stack traces or other tenants’ data'),
      requestId: z.string(),
      path: z.string().optional().describe('The offending field, e.g. `user.attributes.region`'),
    }),
  });
  return { description: `Refused (${status}): ${codes.join(', ')}`, ...jsonSchema(body) };
}

interface DocumentableRoute {
  method: string | string[];
  url: string;
  schema?: FastifySchema;
}

/** The documentation key of a route, e.g. `GET /v1/dashboards/:id`. */
export function routeKey(route: DocumentableRoute): string {
  return `${Array.isArray(route.method) ? route.method.join(',') : route.method} ${route.url}`;
}

/**
 * Fill a route's OpenAPI schema in place (from an `onRoute` hook): security from its group, the
 * success response, and error responses grouped by HTTP status. Routes not in `ROUTE_DOCS` are
 * left alone (and fail the OpenAPI test).
 */
export function documentRoute(route: DocumentableRoute, group: RouteGroup): void {
  const doc = ROUTE_DOCS[routeKey(route)];
  if (!doc) return;
  const schema: Record<string, unknown> = { ...(route.schema ?? {}) };
  const codes = new Set<ErrorCode>([...GROUP_ERRORS[group], ...(doc.errors ?? [])]);
  if (schema.body !== undefined) for (const code of [...SHAPE_ERRORS, ...BODY_ERRORS]) codes.add(code);
  if (schema.querystring !== undefined || schema.params !== undefined) for (const code of SHAPE_ERRORS) codes.add(code);

  const responses: Record<string, unknown> = {};
  const success = doc.success;
  if ('json' in success) responses[success.status] = { description: success.description, ...jsonSchema(success.json) };
  else if ('media' in success) responses[success.status] = { description: success.description, content: Object.fromEntries(success.media.map((type) => [type, { schema: { type: 'string' } }])) };
  else responses[success.status] = { description: success.description, type: 'null' };
  for (const [status, other] of Object.entries(doc.also ?? {})) responses[status] = { description: other.description, ...jsonSchema(other.json) };

  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    if (responses[status] === undefined) responses[status] = errorResponse(status, list);
  }
  schema.security = SECURITY[group];
  schema.response = responses;
  route.schema = schema as FastifySchema;
}
