import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MintRequestSchema, PerchError, isRole, parseWithTokenCodes, validateAttributes, type EmbedUser } from '@perch/protocol';
import { explainAccess, type DatasetAccessExplanation, type QueryRoute } from '@perch/engine';
import type { QueryService } from '../query/query-service.js';
import type { PerchContext } from '../context.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';

/** The user is validated exactly like a mint request's user, so explain sees what a token would carry. */
const ExplainRequestSchema = z.strictObject({
  user: MintRequestSchema.shape.user,
  dataset: z.string().min(1).max(128),
});

/**
 * `POST /v1/access/explain` (admin API key): "why can't Alice see this?" — the RLS policies of a
 * dataset and its joins for a given user, with the values that would be bound, and for a routed
 * dataset the tenant schema or database it would read, checked against the warehouse's catalog.
 */
export function registerExplainRoutes(app: FastifyInstance, ctx: PerchContext, service: Pick<QueryService, 'model' | 'dialect' | 'routeInCatalog'>): void {
  const model = service.model;
  app.post(
    '/v1/access/explain',
    { config: { audit: 'access.explain', scope: 'admin' }, schema: { summary: 'Explain row-level security for a user', tags: ['access'], body: jsonSchema(ExplainRequestSchema) } },
    async (request) => {
      const body = parseWithTokenCodes(ExplainRequestSchema, request.body);
      if (!isRole(body.user.role)) throw new PerchError('unknown_role', { path: 'user.role', message: 'user.role: unknown role' });
      const user: EmbedUser = { distinctId: body.user.distinctId, role: body.user.role, attributes: validateAttributes(body.user.attributes) };
      const explanation = explainAccess(model, user, body.dataset, service.dialect);
      await markUnknownRoute(explanation, service);
      for (const join of Object.values(explanation.joins)) await markUnknownRoute(join, service);
      await auditSuccess(ctx.audit, request, {
        resource: `dataset:${body.dataset}`,
        details: { subject: user.distinctId, role: user.role, outcome: explanation.outcome },
        attributes: { ...user.attributes },
      });
      return { user: { distinctId: user.distinctId, role: user.role }, ...explanation };
    },
  );
}

/** A route that matches its pattern but names no schema (database) in the catalog is denied too. */
async function markUnknownRoute(explanation: DatasetAccessExplanation, service: Pick<QueryService, 'routeInCatalog'>): Promise<void> {
  const route = explanation.route;
  if (route?.status !== 'bound' || typeof route.value !== 'string') return;
  const bound: QueryRoute = route.kind === 'schema' ? { schema: route.value } : { database: route.value };
  if (await service.routeInCatalog(bound)) return;
  route.status = 'not_in_catalog';
  explanation.outcome = 'denied';
  if (!explanation.invalidAttributes.includes(route.attribute)) explanation.invalidAttributes = [...explanation.invalidAttributes, route.attribute].sort();
}
