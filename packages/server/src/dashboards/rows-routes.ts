import type { FastifyInstance } from 'fastify';
import type { PerchContext } from '../context.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import type { QueryService } from '../query/query-service.js';
import { clientDisconnectSignal } from '../query/client-signal.js';
import { RowsRequestSchema, resolveRowsQuery } from '../query/rows-query.js';
import { csvStream, exportFileName } from './csv-export.js';
import { memberTitles } from './dashboard-view.js';

/**
 * `POST /v1/rows`: the rows behind a value of a dashboard chart ("View rows"), one page at a time
 * or as CSV, for explorers and above (viewers get 403 `resource_forbidden`). The query is built
 * from the model (see `resolveRowsQuery`) and runs through `QueryService`, so RLS, member rules
 * and limits apply as for the chart itself; each page is audited as `rows.read`, durable before
 * any row leaves.
 */
export function registerRowsRoutes(app: FastifyInstance, ctx: PerchContext, service: QueryService): void {
  app.post(
    '/v1/rows',
    {
      config: { audit: 'rows.read' },
      schema: {
        summary: 'The rows behind a value of a dashboard chart, paged and sortable, or as CSV (explorers and above)',
        tags: ['dashboards', 'query'],
        body: jsonSchema(RowsRequestSchema),
      },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const body = request.body as { dashboard?: unknown } | undefined;
      const model = await service.modelFor(claims, body?.dashboard);
      const limits = ctx.config.limits;
      const rows = resolveRowsQuery(model, claims, request.body, {
        dialect: service.dialect,
        engine: { maxLimit: limits.maxRows, defaultLimit: limits.defaultRows, now: new Date(ctx.clock.now()) },
        maxRows: limits.maxRows,
      });
      const outcome = await service.run(claims, rows.query, { signal: clientDisconnectSignal(reply), requestId: request.id });
      const { offset, limit, format } = rows.request;
      const hasMore = format === 'json' && outcome.result.rows.length > limit;
      const page = hasMore ? outcome.result.rows.slice(0, limit) : outcome.result.rows;
      await auditSuccess(ctx.audit, request, {
        resource: rows.resource,
        details: { ...outcome.audit, rowCount: page.length, offset, format, ...(rows.request.value ? { value: rows.request.value.member } : {}) },
        attributes: claims.user.attributes,
      });
      const titles = memberTitles(service.model, rows.query.dataset, rows.columns);
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${exportFileName(rows.resource).replace(/\.csv$/, '')}-rows.csv"`)
          .header('cache-control', 'no-store')
          .send(csvStream(outcome.result, titles));
      }
      return reply.header('cache-control', 'no-store').send({
        columns: outcome.result.columns.map((c) => ({ name: c.name, type: c.type, kind: c.kind, title: titles[c.name] ?? c.name })),
        rows: page,
        meta: { offset, limit, hasMore, rowCount: page.length, requestId: request.id },
      });
    },
  );
}
