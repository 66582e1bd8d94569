/**
 * `POST /v1/dashboards/{id}/tiles`: several charts of one dashboard in one request, answered as
 * NDJSON, one line per tile in the order the tiles finish.
 *
 * Why: a dashboard's first paint otherwise costs one CORS preflight and one request per tile on
 * top of the definition, and a browser opens at most six connections per origin, so the tiles
 * queue behind each other's preflights. The batch is one preflight and one request, and it can be
 * sent together with the definition instead of after it.
 *
 * What does not change: every tile runs through `QueryService.run` in the dashboard form, exactly
 * as `POST /v1/query` runs it (scope, model-side query, RLS, limits), and every tile gets its own
 * `query.run` audit event, durable before its line is written. A tile that fails answers an error
 * line with the public code only; the other tiles are unaffected.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { parseOrThrow, type EmbedTokenClaims, type ErrorBody, type QueryResult, type SessionResponse } from '@perch/protocol';
import type { DashboardView } from './dashboard-view.js';
import type { Dashboard } from '@perch/engine';
import type { AuditSink } from '../audit/audit-event.js';
import { auditEventFor } from '../http/audit-context.js';
import { errorBody, toPerchError } from '../http/errors.js';
import type { CompileReceipt, QueryService } from '../query/query-service.js';
import { DashboardQuerySchema, DrillStepSchema, MAX_DRILL_STEPS } from '../query/dashboard-query.js';
import { clientDisconnectSignal, type SignalSource } from '../query/client-signal.js';

/** More ids than any dashboard has charts would only be refused one by one; cap them up front. */
export const MAX_BATCH_TILES = 64;

export const TileBatchSchema = z.strictObject({
  /** Chart ids of the dashboard; omitted means every chart this user may see. */
  charts: z.array(z.string().min(1).max(128)).min(1).max(MAX_BATCH_TILES).optional(),
  filters: DashboardQuerySchema.shape.filters,
  /** Drill-down steps by chart id (each chart drills on its own). */
  drill: z.record(z.string().min(1).max(128), z.array(DrillStepSchema).min(1).max(MAX_DRILL_STEPS)).optional(),
  /**
   * Also answer, at the head of the stream, what `GET /v1/embed/session` and
   * `GET /v1/dashboards/{id}` would: a dashboard's first load is then one request.
   */
  include: z.array(z.enum(['session', 'definition'])).min(1).max(2).optional(),
});
export type TileBatchRequest = z.output<typeof TileBatchSchema>;

/** One NDJSON line of the response. */
export type TileLine = { chart: string; result: QueryResult; unapplied?: string[] } | { chart: string; error: ErrorBody['error'] };

/** A line sent before any tile when the request asked for it with `include`. */
export type TileLeadLine = { session: SessionResponse } | { definition: DashboardView };

export function parseTileBatch(body: unknown): TileBatchRequest {
  // An empty POST body means "the whole dashboard with its default filters".
  return parseOrThrow(TileBatchSchema, body === undefined || body === null ? {} : body);
}

export interface TileBatchContext {
  audit: AuditSink;
  service: QueryService;
  /** Charts of the dashboard this user may see (as `GET /v1/dashboards/{id}` marks them). */
  permittedCharts: (dashboard: Dashboard, claims: EmbedTokenClaims) => string[];
}

/**
 * Start every tile and stream the lines, after the `lead` lines (already audited by the caller);
 * resolves with the reply once the stream is handed to Fastify (tiles keep running and writing
 * until all have settled).
 */
export function streamTiles(ctx: TileBatchContext, request: FastifyRequest, reply: FastifyReply, dashboard: Dashboard, batch: TileBatchRequest, lead: readonly TileLeadLine[] = []): FastifyReply {
  const claims = request.embed!.claims;
  const charts = batch.charts ? [...new Set(batch.charts)] : ctx.permittedCharts(dashboard, claims);
  const signal = clientDisconnectSignal(reply);
  const stream = new PassThrough();
  // A client that went away mid-stream makes later writes fail; that is not a server error.
  stream.on('error', () => undefined);
  const write = (line: TileLine | TileLeadLine) => {
    if (!stream.destroyed && !stream.writableEnded) stream.write(JSON.stringify(line) + '\n');
  };
  for (const line of lead) write(line);
  // Every tile is audited by this handler, so the error handler must not add a route-level event.
  request.audited = true;
  void Promise.all(charts.map((chart) => runTile(ctx, request, dashboard.id, chart, batch, signal).then(write))).finally(() => stream.end());
  // No caching anywhere: each line is one user's RLS-filtered rows.
  return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(stream);
}

async function runTile(ctx: TileBatchContext, request: FastifyRequest, dashboardId: string, chart: string, batch: TileBatchRequest, signal: SignalSource): Promise<TileLine> {
  const claims = request.embed!.claims;
  const drill = batch.drill && Object.prototype.hasOwnProperty.call(batch.drill, chart) ? batch.drill[chart] : undefined;
  const body = { dashboard: dashboardId, chart, ...(batch.filters !== undefined ? { filters: batch.filters } : {}), ...(drill ? { drill } : {}) };
  const receipt: CompileReceipt = {};
  const attributes = claims.user.attributes;
  try {
    const outcome = await ctx.service.run(claims, body, { signal, requestId: request.id, receipt });
    // Durable before any row leaves, as for POST /v1/query.
    await ctx.audit.record(auditEventFor(request, 'success', { resource: outcome.resource, details: outcome.audit, attributes }));
    return { chart, result: outcome.result, ...(outcome.unapplied ? { unapplied: outcome.unapplied } : {}) };
  } catch (error) {
    const perchError = toPerchError(error);
    const outcome = perchError.code === 'internal_error' ? 'error' : 'refused';
    await ctx.audit
      .record(
        auditEventFor(request, outcome, {
          code: perchError.code,
          resource: receipt.compiled?.resource ?? `dashboard:${dashboardId}/${chart}`,
          ...(receipt.compiled ? { details: receipt.compiled.details, attributes } : {}),
        }),
      )
      .catch((auditError: unknown) => request.log.error({ err: auditError }, 'audit of a tile refusal failed'));
    if (perchError.status >= 500) request.log.error({ err: error, code: perchError.code, chart }, 'tile failed');
    else request.log.info({ code: perchError.code, detail: perchError.detail, chart }, 'tile refused');
    return { chart, error: errorBody(perchError, request.id).error };
  }
}
