import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PerchError, parseOrThrow } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import type { QueryService } from './query-service.js';
import { clientDisconnectSignal } from './client-signal.js';

const ValuesQuerySchema = z.strictObject({
  dashboard: z.string().min(1).max(128).optional(),
  dataset: z.string().min(1).max(128).optional(),
  member: z.string().min(1).max(128),
  search: z.string().max(256).optional(),
  limit: z
    .string()
    .regex(/^\d{1,7}$/, 'a non-negative integer')
    .transform(Number)
    .optional(),
});

/**
 * `GET /v1/catalog`: the datasets and members this user may query; members hidden by member rules
 * are left out. `GET /v1/values`: distinct values of a dimension for a filter widget, under RLS.
 */
export function registerCatalogRoutes(app: FastifyInstance, ctx: PerchContext, service: QueryService): void {
  app.get('/v1/catalog', { config: { audit: 'catalog.read' }, schema: { summary: 'The datasets and members this user may query', tags: ['query'] } }, async (request) => {
    const claims = request.embed!.claims;
    const catalog = service.catalog(claims);
    await auditSuccess(ctx.audit, request, { resource: 'catalog', details: { datasets: catalog.datasets.map((d) => d.name) } });
    return catalog;
  });

  app.get(
    '/v1/values',
    { config: { audit: 'values.read' }, schema: { summary: 'Distinct values of a dimension (filter widgets)', tags: ['query'], querystring: jsonSchema(ValuesQuerySchema) } },
    async (request, reply) => {
      const claims = request.embed!.claims;
      if (typeof request.query !== 'object' || request.query === null) throw new PerchError('invalid_request');
      const input = parseOrThrow(ValuesQuerySchema, { ...(request.query as Record<string, unknown>) });
      const { result, dataset, policies, cacheHit, route } = await service.distinctValues(
        claims,
        {
          member: input.member,
          ...(input.dashboard !== undefined ? { dashboard: input.dashboard } : {}),
          ...(input.dataset !== undefined ? { dataset: input.dataset } : {}),
          ...(input.search !== undefined ? { search: input.search } : {}),
          ...(input.limit !== undefined ? { limit: input.limit } : {}),
        },
        { signal: clientDisconnectSignal(reply), requestId: request.id },
      );
      await auditSuccess(ctx.audit, request, {
        resource: `dataset:${dataset}`,
        details: { dataset, member: input.member, dashboard: input.dashboard ?? null, policies, rowCount: result.meta.rowCount, durationMs: result.meta.durationMs, cacheHit, ...(route ? { route } : {}) },
        attributes: claims.user.attributes,
      });
      return reply.send(result);
    },
  );
}
