import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PerchError, SemanticQuerySchema, roleAtLeast } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import type { QueryService } from '../query/query-service.js';
import { DashboardQuerySchema } from '../query/dashboard-query.js';
import { clientDisconnectSignal } from '../query/client-signal.js';
import { csvStream, exportFileName } from './csv-export.js';
import { memberTitles } from './dashboard-view.js';

/**
 * `POST /v1/export`: a dashboard chart (`{dashboard, chart, filters}`) or a semantic query as CSV,
 * for explorers and above. It runs through the same `QueryService` as `POST /v1/query`, so the
 * same RLS, limits and dashboard scope apply; an expired token never reaches this handler
 * (Superset #24745: CSV export worked unfiltered after the token expired).
 */
export function registerExportRoutes(app: FastifyInstance, ctx: PerchContext, service: QueryService): void {
  app.post(
    '/v1/export',
    {
      config: { audit: 'export.run' },
      schema: {
        summary: 'Export a chart or a semantic query as CSV (explorers and above)',
        tags: ['query'],
        body: jsonSchema(z.union([SemanticQuerySchema, DashboardQuerySchema])),
      },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      if (!roleAtLeast(claims.user.role, 'explorer')) throw new PerchError('role_forbidden', { message: 'Export is available to explorers and above.' });
      const outcome = await service.run(claims, request.body, { signal: clientDisconnectSignal(reply), requestId: request.id });
      // Durable before the first byte: an export that cannot be audited is not served.
      await auditSuccess(ctx.audit, request, { resource: outcome.resource, details: { ...outcome.audit, format: 'csv' }, attributes: claims.user.attributes });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${exportFileName(outcome.resource)}"`)
        .header('cache-control', 'no-store')
        .send(csvStream(outcome.result, memberTitles(service.model, outcome.audit.dataset, outcome.result.columns.map((c) => c.name))));
    },
  );
}
