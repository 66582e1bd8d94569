import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { MintRequestSchema, PerchError, isRole, parseWithTokenCodes, validateAttributes, type EmbedUser } from '@perch/protocol';
import { explainAccess, type Model } from '@perch/engine';
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
 * dataset and its joins for a given user, with the values that would be bound.
 */
export function registerExplainRoutes(app: FastifyInstance, ctx: PerchContext, model: Model): void {
  app.post(
    '/v1/access/explain',
    { config: { audit: 'access.explain', scope: 'admin' }, schema: { summary: 'Explain row-level security for a user', tags: ['access'], body: jsonSchema(ExplainRequestSchema) } },
    async (request) => {
      const body = parseWithTokenCodes(ExplainRequestSchema, request.body);
      if (!isRole(body.user.role)) throw new PerchError('unknown_role', { path: 'user.role', message: 'user.role: unknown role' });
      const user: EmbedUser = { distinctId: body.user.distinctId, role: body.user.role, attributes: validateAttributes(body.user.attributes) };
      const explanation = explainAccess(model, user, body.dataset);
      await auditSuccess(ctx.audit, request, {
        resource: `dataset:${body.dataset}`,
        details: { subject: user.distinctId, role: user.role, outcome: explanation.outcome },
        attributes: { ...user.attributes },
      });
      return { user: { distinctId: user.distinctId, role: user.role }, ...explanation };
    },
  );
}
