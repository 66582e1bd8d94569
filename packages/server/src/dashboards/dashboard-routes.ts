import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PerchError, parseOrThrow, roleAtLeast, type EmbedTokenClaims } from '@perch/protocol';
import { DashboardSchema, type Dashboard } from '@perch/engine';
import type { PerchContext } from '../context.js';
import { auditEventFor, auditSuccess, auditSuccessOrUndo } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import { expectedVersion, sendVersionTag } from '../http/entity-tag.js';
import type { QueryService } from '../query/query-service.js';
import { clientDisconnectSignal } from '../query/client-signal.js';
import type { DashboardDirectory } from './dashboard-directory.js';
import { permittedChartIds, presentDashboard, type DashboardView } from './dashboard-view.js';
import { TileBatchSchema, parseTileBatch, streamTiles, type TileBatchContext, type TileLeadLine } from './tile-batch.js';
import { presentSession } from '../workspace/session-routes.js';

const IdParams = z.strictObject({ id: z.string().min(1).max(128) });
const FilterValuesQuery = z.strictObject({
  member: z.string().min(1).max(128),
  search: z.string().max(256).optional(),
});
/** The body of `POST /v1/dashboards/{id}/restore` (`DashboardRestoreRequest`). */
const RestoreBody = z.strictObject({ version: z.number().int().min(1).max(999_999_999) });
/** Documentation only (Fastify's validator is off; `expectedVersion` reads the header). */
const IfMatchHeader = (required: boolean) => {
  const tag = z.string().regex(/^"\d{1,9}"$/).describe('The `ETag` of the version this write replaces, e.g. `"3"`');
  return jsonSchema(z.object({ 'if-match': required ? tag : tag.optional() }));
};

function params<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  return parseOrThrow(schema, typeof value === 'object' && value !== null ? { ...(value as Record<string, unknown>) } : {});
}

/**
 * The dashboard routes of the embed API:
 * - `GET /v1/dashboards/{id}`: the definition as this user may see it (`dashboard.open`).
 * - `GET /v1/dashboards/{id}/filter-values`: distinct values of a picker, under RLS (`values.read`).
 * - `POST /v1/dashboards/{id}/tiles`: several charts at once as NDJSON, each run and audited
 *   (`query.run`) exactly as `POST /v1/query` runs a chart.
 * - `GET /v1/dashboards`: the dashboards this token may open (`dashboard.list`).
 * - `POST /v1/dashboards`, `PUT|DELETE /v1/dashboards/{id}`: makers save dashboards for their tenant.
 * - `GET /v1/dashboards/{id}/definition`, `GET .../versions`, `POST .../restore`: the editor's reads
 *   and restoring an earlier version (makers). Writes to an existing dashboard carry its version
 *   in `If-Match`; answers that carry a version send it as `ETag`.
 *
 * Unknown and out-of-scope ids both answer 403 `resource_forbidden`, so a token cannot learn
 * which dashboards exist. Saved dashboards belong to a tenant (the workspace's tenant attribute,
 * `customerId` by default), not to one maker: every maker of the tenant may edit them, and only
 * tokens of that tenant whose scope names the id (or is `"*"`) can see them.
 */
export function registerDashboardRoutes(app: FastifyInstance, ctx: PerchContext, service: QueryService, directory: DashboardDirectory): void {
  const engine = () => ({ maxLimit: ctx.config.limits.maxRows, defaultLimit: ctx.config.limits.defaultRows, now: new Date(ctx.clock.now()) });
  const present = (dashboard: Dashboard, claims: EmbedTokenClaims) =>
    presentDashboard(dashboard, claims, { model: service.model, dialect: service.dialect, engine: engine(), canExport: roleAtLeast(claims.user.role, 'explorer') });
  const openedEvent = (id: string, view: DashboardView) => ({
    resource: `dashboard:${id}`,
    details: { charts: view.charts.length, hidden: view.charts.filter((c) => !c.permitted).map((c) => c.id) },
  });

  app.get(
    '/v1/dashboards',
    { config: { audit: 'dashboard.list' }, schema: { summary: 'The dashboards this token may open', tags: ['dashboards'] } },
    async (request) => {
      const claims = request.embed!.claims;
      const listed = await directory.list(claims);
      await auditSuccess(ctx.audit, request, { resource: 'dashboards', details: { count: listed.dashboards.length } });
      return listed;
    },
  );

  app.get(
    '/v1/dashboards/:id',
    { config: { audit: 'dashboard.open' }, schema: { summary: 'A dashboard definition in scope', tags: ['dashboards'], params: jsonSchema(IdParams) } },
    async (request) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const dashboard = await directory.open(claims, id);
      const view = present(dashboard, claims);
      await auditSuccess(ctx.audit, request, openedEvent(id, view));
      return view;
    },
  );

  app.get(
    '/v1/dashboards/:id/filter-values',
    {
      config: { audit: 'values.read' },
      schema: { summary: 'Distinct values of a dashboard filter, under RLS', tags: ['dashboards'], params: jsonSchema(IdParams), querystring: jsonSchema(FilterValuesQuery) },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const input = params(FilterValuesQuery, request.query);
      // The directory answers for model and saved dashboards alike, before any value is looked up.
      await directory.open(claims, id);
      const { result, dataset, policies, cacheHit, route } = await service.distinctValues(
        claims,
        { dashboard: id, member: input.member, ...(input.search !== undefined ? { search: input.search } : {}) },
        { signal: clientDisconnectSignal(reply), requestId: request.id },
      );
      const column = result.columns[0]?.name;
      const values = column === undefined ? [] : result.rows.map((row) => row[column]).filter((v) => v !== null && v !== undefined);
      await auditSuccess(ctx.audit, request, {
        resource: `dashboard:${id}`,
        details: { dataset, member: input.member, policies, rowCount: values.length, durationMs: result.meta.durationMs, cacheHit, ...(route ? { route } : {}) },
        attributes: claims.user.attributes,
      });
      return reply.send({ values });
    },
  );

  const tiles: TileBatchContext = {
    audit: ctx.audit,
    service,
    permittedCharts: (dashboard, claims) => permittedChartIds(dashboard, claims, { model: service.model, dialect: service.dialect, engine: engine() }),
  };

  app.post(
    '/v1/dashboards/:id/tiles',
    {
      config: { audit: 'query.run' },
      schema: {
        summary: 'Several charts of a dashboard in one request (NDJSON, one line per tile as it finishes)',
        description: 'Each tile runs and is audited like `POST /v1/query` with `{dashboard, chart, filters}`; without `charts`, every chart this token may see. RLS always applies.',
        tags: ['dashboards', 'query'],
        params: jsonSchema(IdParams),
        body: jsonSchema(TileBatchSchema),
      },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const batch = parseTileBatch(request.body);
      // Scope (and tenant, for saved dashboards) is settled before any tile starts.
      const dashboard = await directory.open(claims, id);
      // A first load may ask for the session and the definition at the head of the stream: one
      // request (and one CORS preflight) instead of three. Each is audited under its own action,
      // durable before the stream starts, exactly as its own route would have done it.
      const lead: TileLeadLine[] = [];
      const events: Array<Promise<void>> = [];
      let charts = batch.charts;
      if (batch.include?.includes('session')) {
        lead.push({ session: presentSession(claims) });
        events.push(ctx.audit.record(auditEventFor(request, 'success', { action: 'session.read', resource: 'session' })));
      }
      if (batch.include?.includes('definition')) {
        const view = present(dashboard, claims);
        lead.push({ definition: view });
        events.push(ctx.audit.record(auditEventFor(request, 'success', { action: 'dashboard.open', ...openedEvent(id, view) })));
        // The view has just decided which charts this user may see; do not decide it twice.
        charts ??= view.charts.filter((c) => c.permitted).map((c) => c.id);
      }
      await Promise.all(events);
      return streamTiles(tiles, request, reply, dashboard, charts === undefined ? batch : { ...batch, charts }, lead);
    },
  );

  // A definition may be as large as `limits.dashboards.maxDefinitionBytes` as compact JSON, and a
  // client may send it indented: Fastify's own limit must stay above it, so that an oversized
  // definition is answered by Perch's check (413 with path `body`), not cut off mid-read.
  const writeBodyLimit = Math.max(ctx.config.limits.bodyBytes, 2 * ctx.config.limits.dashboards.maxDefinitionBytes);
  const savedEvent = (id: string, saved: { version: number; dashboard: Dashboard }, extra: Record<string, unknown> = {}) => ({
    resource: `dashboard:${id}`,
    details: { version: saved.version, charts: saved.dashboard.charts.length, ...extra },
  });

  app.get(
    '/v1/dashboards/:id/definition',
    { config: { audit: 'dashboard.read_definition' }, schema: { summary: 'A dashboard definition to edit (makers)', tags: ['dashboards'], params: jsonSchema(IdParams) } },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const answer = await directory.definition(claims, id);
      await auditSuccess(ctx.audit, request, { resource: `dashboard:${id}`, details: { source: answer.source, version: answer.version ?? null, omitted: answer.omittedCharts } });
      if (answer.version !== undefined) sendVersionTag(reply, answer.version);
      return reply.send(answer);
    },
  );

  app.get(
    '/v1/dashboards/:id/versions',
    { config: { audit: 'dashboard.versions' }, schema: { summary: 'The saved versions of a dashboard, newest first (makers)', tags: ['dashboards'], params: jsonSchema(IdParams) } },
    async (request) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const answer = await directory.versions(claims, id);
      await auditSuccess(ctx.audit, request, { resource: `dashboard:${id}`, details: { count: answer.versions.length } });
      return answer;
    },
  );

  app.post(
    '/v1/dashboards',
    { config: { audit: 'dashboard.create' }, bodyLimit: writeBodyLimit, schema: { summary: 'Save a new dashboard for this tenant (makers)', tags: ['dashboards'], body: jsonSchema(DashboardSchema) } },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const saved = await directory.create(claims, request.body);
      await auditSuccessOrUndo(ctx.audit, request, saved.undo, savedEvent(saved.dashboard.id, saved));
      return sendVersionTag(reply.code(201), saved.version).send({ id: saved.dashboard.id, version: saved.version });
    },
  );

  app.put(
    '/v1/dashboards/:id',
    {
      config: { audit: 'dashboard.update' },
      bodyLimit: writeBodyLimit,
      schema: { summary: 'Replace a saved dashboard of this tenant (makers)', tags: ['dashboards'], params: jsonSchema(IdParams), headers: IfMatchHeader(true), body: jsonSchema(DashboardSchema) },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const saved = await directory.update(claims, id, request.body, expectedVersion(request));
      await auditSuccessOrUndo(ctx.audit, request, saved.undo, savedEvent(id, saved));
      return sendVersionTag(reply, saved.version).send({ id, version: saved.version });
    },
  );

  app.post(
    '/v1/dashboards/:id/restore',
    {
      config: { audit: 'dashboard.restore' },
      schema: { summary: 'Make an earlier version the current one, as a new version (makers)', tags: ['dashboards'], params: jsonSchema(IdParams), headers: IfMatchHeader(true), body: jsonSchema(RestoreBody) },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      const { version } = parseOrThrow(RestoreBody, request.body);
      const saved = await directory.restore(claims, id, version, expectedVersion(request));
      await auditSuccessOrUndo(ctx.audit, request, saved.undo, savedEvent(id, saved, { restoredFrom: version }));
      return sendVersionTag(reply, saved.version).send({ id, version: saved.version });
    },
  );

  app.delete(
    '/v1/dashboards/:id',
    { config: { audit: 'dashboard.delete' }, schema: { summary: 'Delete a saved dashboard of this tenant and its versions (makers)', tags: ['dashboards'], params: jsonSchema(IdParams), headers: IfMatchHeader(false) } },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const { id } = params(IdParams, request.params);
      // Refuse before touching the store when the body of a DELETE tries to carry anything.
      if (request.body !== undefined && request.body !== null) throw new PerchError('invalid_request', { path: 'body', message: 'DELETE takes no body' });
      const deleted = await directory.delete(claims, id, expectedVersion(request));
      await auditSuccessOrUndo(ctx.audit, request, deleted.undo, { resource: `dashboard:${id}` });
      return reply.code(204).send();
    },
  );
}
