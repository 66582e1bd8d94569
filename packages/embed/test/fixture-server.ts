import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { PassThrough } from 'node:stream';
import cors from '@fastify/cors';
import type { DashboardListResponse, ErrorCode } from '@perch/protocol';
import { loadEmbedAssets } from '../src/server-assets.js';
import type { DashboardDefinition, DashboardQueryBody, QueryResponse, TileBatchBody, TileLine } from '../src/types.js';

/**
 * A stand-in for the Perch HTTP API with fixture data, for component tests. Tokens are plain
 * strings: `valid-*` is accepted, `expired-*` answers 401 `token_expired`, anything else 401
 * `token_malformed`. It serves the built components at `/embed/*` and a blank page at `/`.
 */
export const XSS_VALUE = '<img src=x onerror="window.__xss=1;alert(1)">';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  origin: string | undefined;
  body: unknown;
  /** The client went away before the response was sent (an aborted fetch). */
  aborted: boolean;
  /** `Date.now()` when the request arrived. */
  receivedAt: number;
}

export interface FixtureServer {
  url: string;
  requests: RecordedRequest[];
  /**
   * Milliseconds to hold `POST /v1/query` and `POST /v1/dashboards/{id}/tiles` when the dateRange
   * they apply matches the key, and `GET /v1/dashboards/{id}` under the key `definition`.
   */
  delays: Map<string, number>;
  /** Tiles answered with this error code instead of a result (for error-state tests). */
  failures: Map<string, ErrorCode>;
  /** Calls to `POST /v1/embed/tokens`. */
  minted: Array<{ authorization: string | undefined; body: unknown }>;
  /**
   * The body of `GET /v1/dashboards`; by default the fixture dashboards, none editable. Held under
   * `delays.get('list')` and refused with `failures.get('list')`, like the tiles.
   */
  dashboardList: DashboardListResponse;
  close(): Promise<void>;
}

export const SALES_DASHBOARD: DashboardDefinition = {
  id: 'sales',
  title: 'Sales overview',
  description: 'Revenue by region and month',
  layout: {
    columns: 12,
    items: [
      { chart: 'revenue_total', x: 0, y: 0, w: 3, h: 2 },
      { chart: 'revenue_by_region', x: 3, y: 0, w: 5, h: 3 },
      { chart: 'revenue_by_month', x: 8, y: 0, w: 4, h: 3 },
      { chart: 'top_customers', x: 0, y: 3, w: 6, h: 3 },
      { chart: 'margin', x: 6, y: 3, w: 6, h: 3 },
    ],
  },
  charts: [
    { id: 'revenue_total', type: 'kpi', title: 'Revenue', permitted: true, query: { dataset: 'orders', measures: ['revenue'] }, format: { measure: { style: 'currency', currency: 'USD', decimals: 0 } }, members: { revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 2 } } } },
    { id: 'revenue_by_region', type: 'bar', title: 'Revenue by region', permitted: true, query: { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] }, members: { revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 2 } }, region: { title: 'Region' } } },
    { id: 'revenue_by_month', type: 'line', title: 'Revenue by month', permitted: true, query: { dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'ordered_at', granularity: 'month' } }, members: { revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 2 } }, ordered_at: { title: 'Order date' } } },
    { id: 'top_customers', type: 'table', title: 'Top customers', permitted: true, query: { dataset: 'orders', measures: ['revenue'], dimensions: ['region', 'customer'] }, members: { revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 2 } }, region: { title: 'Region' }, customer: { title: 'Customer' } } },
    { id: 'margin', type: 'kpi', title: 'Margin', permitted: false, query: { dataset: 'orders', measures: ['margin'] } },
  ],
  filters: { dateRange: { member: 'ordered_at', default: 'last 12 months' }, pickers: [{ member: 'region', title: 'Region' }] },
  canExport: true,
};

/** A dashboard whose only chart is refused with `rls_attribute_missing`. */
export const BROKEN_DASHBOARD: DashboardDefinition = {
  id: 'ops',
  title: 'Operations',
  layout: { columns: 12, items: [{ chart: 'needs_department', x: 0, y: 0, w: 12, h: 2 }] },
  charts: [{ id: 'needs_department', type: 'kpi', title: 'Department spend', permitted: true, query: { dataset: 'spend', measures: ['amount'] } }],
  filters: { pickers: [] },
  canExport: false,
};

/** A KPI with a time dimension: its latest month, the change against the month before, a sparkline. */
export const TREND_DASHBOARD: DashboardDefinition = {
  id: 'trend',
  title: 'Trend',
  layout: { columns: 12, items: [{ chart: 'revenue_trend', x: 0, y: 0, w: 4, h: 2 }] },
  charts: [
    { id: 'revenue_trend', type: 'kpi', title: 'Monthly revenue', permitted: true, query: { dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'ordered_at', granularity: 'month' } }, format: { measure: { style: 'currency', currency: 'USD', decimals: 0 } }, members: { revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 0 } }, ordered_at: { title: 'Order date' } } },
  ],
  filters: { pickers: [] },
  canExport: false,
};

const REGION_ROWS = [
  { region: 'EMEA', customer: 'acme', revenue: 1200.5 },
  { region: 'AMER', customer: 'globex', revenue: 800 },
  { region: XSS_VALUE, customer: 'initech', revenue: 300 },
];

/** The date range under which the fixture warehouse holds no rows (for empty-state tests). */
export const EMPTY_RANGE = 'this month';

/** A KPI's previous-period request: only charts named, over an explicit [from, to] range. */
export function isComparisonRequest(request: { path: string; body: unknown }): boolean {
  const body = request.body as TileBatchBody | undefined;
  return request.path.endsWith('/tiles') && Array.isArray(body?.charts) && Array.isArray(body?.filters?.dateRange);
}

function queryResult(chart: string, body: DashboardQueryBody): QueryResponse {
  const regions = body.filters?.values?.region;
  const rows = body.filters?.dateRange === EMPTY_RANGE ? [] : REGION_ROWS.filter((r) => !regions || regions.includes(r.region));
  const meta = { rowCount: 0, durationMs: 3, cacheHit: false, requestId: `req-${chart}` };
  switch (chart) {
    case 'revenue_total': {
      // An explicit [from, to] range (a custom range, or a KPI's previous period) holds half the revenue.
      const share = Array.isArray(body.filters?.dateRange) ? 0.5 : 1;
      return { columns: [{ name: 'revenue', type: 'number', kind: 'measure' }], rows: [{ revenue: rows.length === 0 ? null : rows.reduce((s, r) => s + r.revenue, 0) * share }], meta: { ...meta, rowCount: 1 } };
    }
    case 'revenue_by_region':
      return {
        columns: [{ name: 'region', type: 'string', kind: 'dimension' }, { name: 'revenue', type: 'number', kind: 'measure' }],
        rows: rows.map(({ region, revenue }) => ({ region, revenue })),
        meta: { ...meta, rowCount: rows.length },
      };
    case 'revenue_trend':
    case 'revenue_by_month':
      return {
        columns: [{ name: 'ordered_at', type: 'date', kind: 'time' }, { name: 'revenue', type: 'number', kind: 'measure' }],
        rows: rows.length === 0 ? [] : ['2025-01-01', '2025-02-01', '2025-03-01'].map((m, i) => ({ ordered_at: m, revenue: 100 * (i + 1) })),
        meta: { ...meta, rowCount: rows.length === 0 ? 0 : 3 },
      };
    default:
      return {
        columns: [
          { name: 'region', type: 'string', kind: 'dimension' },
          { name: 'customer', type: 'string', kind: 'dimension' },
          { name: 'revenue', type: 'number', kind: 'measure' },
        ],
        rows,
        meta: { ...meta, rowCount: rows.length },
      };
  }
}

/** `GET /v1/dashboards` as Perch answers a viewer: the fixture dashboards, none editable. */
export function defaultDashboardList(): DashboardListResponse {
  return {
    dashboards: [SALES_DASHBOARD, BROKEN_DASHBOARD, TREND_DASHBOARD].map((d) => ({ id: d.id, title: d.title, ...(d.description ? { description: d.description } : {}), source: 'model' as const, editable: false })),
    canCreate: false,
  };
}

function sendError(reply: FastifyReply, status: number, code: ErrorCode, requestId = 'req-fixture'): FastifyReply {
  return reply.code(status).send({ error: { code, message: `Fixture: ${code}`, requestId } });
}

/**
 * Start the fixture API on an ephemeral port.
 *
 * @example
 * const server = await startFixtureServer({ distDir });
 * await page.goto(server.url);
 */
export async function startFixtureServer(options: { distDir: string; host?: string; corsOrigins?: string[] }): Promise<FixtureServer> {
  const assets = loadEmbedAssets(options.distDir);
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  // Cross-origin embedding: echo only the listed origins, like Perch (never `*`, no credentials).
  if (options.corsOrigins) await app.register(cors, { origin: options.corsOrigins, allowedHeaders: ['authorization', 'content-type'], methods: ['GET', 'POST'] });
  const requests: RecordedRequest[] = [];
  const delays = new Map<string, number>();
  const minted: FixtureServer['minted'] = [];
  const failures = new Map<string, ErrorCode>();
  const fixture: FixtureServer = {
    url: '',
    requests,
    delays,
    failures,
    minted,
    dashboardList: defaultDashboardList(),
    close: () => app.close(),
  };

  app.get('/', (_request, reply) =>
    reply.type('text/html; charset=utf-8').send('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Perch fixture</title><script type="module" src="/embed/perch.js"></script></head><body></body></html>'),
  );
  app.get<{ Params: { file: string } }>('/embed/:file', (request, reply) => {
    const asset = assets.files.get(request.params.file);
    if (!asset) return sendError(reply, 404, 'not_found');
    return reply.type(asset.contentType).header('etag', asset.etag).send(asset.body);
  });

  // Mint: `valid-<distinctId>` for any `pk_test_…` key (the key itself is not checked here).
  app.post<{ Body: { user: { distinctId: string } } }>('/v1/embed/tokens', (request, reply) => {
    minted.push({ authorization: request.headers.authorization, body: request.body });
    if (!request.headers.authorization?.startsWith('Bearer pk_test_')) return sendError(reply, 401, 'api_key_invalid');
    return reply.code(201).send({ token: `valid-${request.body.user.distinctId}`, tokenId: 'tid-fixture', expiresAt: new Date(Date.now() + 600_000).toISOString() });
  });

  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith('/v1/') || request.method === 'OPTIONS' || request.url === '/v1/embed/tokens') return;
    const record: RecordedRequest = { method: request.method, path: request.url, authorization: request.headers.authorization, origin: request.headers.origin, body: undefined, aborted: false, receivedAt: Date.now() };
    requests.push(record);
    // 'close' on the raw request before the reply finished means the browser aborted the fetch.
    request.raw.on('close', () => {
      if (!reply.raw.writableFinished) record.aborted = true;
    });
    (request as unknown as { record: RecordedRequest }).record = record;
    const token = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    if (token.startsWith('expired-')) return sendError(reply, 401, 'token_expired');
    if (!token.startsWith('valid-')) return sendError(reply, 401, token ? 'token_malformed' : 'token_missing');
  });
  app.addHook('preHandler', async (request) => {
    const record = (request as unknown as { record?: RecordedRequest }).record;
    if (record) record.body = request.body;
  });

  const session = () => ({
    distinctId: 'alice',
    role: 'explorer',
    scope: { dashboards: '*', assistant: false },
    expiresAt: new Date(Date.now() + 600_000).toISOString(),
    env: 'test',
    attributeKeys: ['customerId'],
  });
  app.get('/v1/embed/session', session);
  app.get('/v1/dashboards', async (_request, reply) => {
    const delay = delays.get('list');
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = failures.get('list');
    return failure ? sendError(reply, failure === 'token_expired' ? 401 : 503, failure, 'req-list-failed') : fixture.dashboardList;
  });
  app.get<{ Params: { id: string } }>('/v1/dashboards/:id', async (request, reply) => {
    const delay = delays.get('definition');
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    const found = [SALES_DASHBOARD, BROKEN_DASHBOARD, TREND_DASHBOARD].find((d) => d.id === request.params.id);
    return found ?? sendError(reply, 404, 'not_found');
  });
  app.get<{ Params: { id: string }; Querystring: { member?: string } }>('/v1/dashboards/:id/filter-values', (request) => ({
    values: request.query.member === 'region' ? REGION_ROWS.map((r) => r.region) : [],
  }));
  app.post<{ Body: DashboardQueryBody }>('/v1/query', async (request, reply) => {
    const body = request.body;
    if (body.chart === 'needs_department') return sendError(reply, 403, 'rls_attribute_missing', 'req-rls-1');
    const delay = delays.get(String(body.filters?.dateRange ?? ''));
    if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
    return queryResult(body.chart, body);
  });
  // Like Perch: without `charts`, every permitted chart; without a dateRange, the dashboard's default.
  app.post<{ Params: { id: string }; Body: TileBatchBody | undefined }>('/v1/dashboards/:id/tiles', async (request, reply) => {
    const dashboard = [SALES_DASHBOARD, BROKEN_DASHBOARD, TREND_DASHBOARD].find((d) => d.id === request.params.id);
    if (!dashboard) return sendError(reply, 403, 'resource_forbidden');
    const batch = request.body ?? {};
    const charts = batch.charts ?? dashboard.charts.filter((c) => c.permitted).map((c) => c.id);
    const dateRange = batch.filters?.dateRange === undefined ? dashboard.filters.dateRange?.default : batch.filters.dateRange;
    const delay = delays.get(String(dateRange ?? ''));
    const stream = new PassThrough();
    stream.on('error', () => undefined);
    void (async () => {
      // Like Perch: the session and the definition first, when asked for.
      if (batch.include?.includes('session')) stream.write(JSON.stringify({ session: session() }) + '\n');
      if (batch.include?.includes('definition')) {
        const definitionDelay = delays.get('definition');
        if (definitionDelay) await new Promise((resolve) => setTimeout(resolve, definitionDelay));
        if (!stream.destroyed) stream.write(JSON.stringify({ definition: dashboard }) + '\n');
      }
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      for (const chart of charts) {
        const permitted = dashboard.charts.find((c) => c.id === chart)?.permitted;
        const failure = failures.get(chart);
        const line: TileLine =
          failure !== undefined
            ? { chart, error: { code: failure, message: `Fixture: ${failure}`, requestId: `req-${chart}-failed` } }
            : chart === 'needs_department'
              ? { chart, error: { code: 'rls_attribute_missing', message: 'Fixture: rls_attribute_missing', requestId: 'req-rls-1' } }
              : !permitted
                ? { chart, error: { code: 'member_forbidden', message: 'Fixture: member_forbidden', requestId: 'req-fixture' } }
                : { chart, result: queryResult(chart, { dashboard: dashboard.id, chart, ...(batch.filters ? { filters: batch.filters } : {}) }) };
        if (!stream.destroyed) stream.write(JSON.stringify(line) + '\n');
      }
      stream.end();
    })();
    return reply.type('application/x-ndjson; charset=utf-8').send(stream);
  });
  app.post<{ Body: DashboardQueryBody }>('/v1/export', (request, reply) => {
    const result = queryResult(request.body.chart, request.body);
    const names = result.columns.map((c) => c.name);
    const csv = [names.join(','), ...result.rows.map((row) => names.map((n) => JSON.stringify(String(row[n] ?? ''))).join(','))].join('\n');
    return reply.type('text/csv; charset=utf-8').send(csv);
  });

  const address = await app.listen({ port: 0, host: options.host ?? '127.0.0.1' });
  fixture.url = address;
  return fixture;
}
