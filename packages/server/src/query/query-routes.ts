import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { SemanticQuerySchema, isPerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditRefusal, auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import type { CompileReceipt, QueryOutcome, QueryService } from './query-service.js';
import { DashboardQuerySchema } from './dashboard-query.js';
import { clientDisconnectSignal } from './client-signal.js';

/**
 * `POST /v1/query`: a semantic query (explorer and above) or a dashboard chart (any role, for a
 * dashboard in the token's scope). The `query.run` event is durable before any row is sent.
 */
export function registerQueryRoutes(app: FastifyInstance, ctx: PerchContext, service: QueryService): void {
  app.post(
    '/v1/query',
    {
      config: { audit: 'query.run' },
      schema: {
        summary: 'Run a governed query',
        description: 'Either a semantic query, or `{dashboard, chart, filters}` to run a chart of a dashboard in scope. RLS always applies.',
        tags: ['query'],
        body: jsonSchema(z.union([SemanticQuerySchema, DashboardQuerySchema])),
      },
    },
    async (request, reply) => {
      const claims = request.embed!.claims;
      const receipt: CompileReceipt = {};
      let outcome: QueryOutcome;
      try {
        outcome = await service.run(claims, request.body, { signal: clientDisconnectSignal(reply), requestId: request.id, receipt });
      } catch (error) {
        // A refusal after compile (timeout, cancellation, unavailable warehouse) is audited with
        // what was asked; earlier refusals are audited by the error handler.
        if (receipt.compiled && isPerchError(error)) {
          await auditRefusal(ctx.audit, request, error.code, { resource: receipt.compiled.resource, details: receipt.compiled.details, attributes: claims.user.attributes });
        }
        throw error;
      }
      await auditSuccess(ctx.audit, request, {
        resource: outcome.resource,
        details: outcome.audit,
        attributes: claims.user.attributes,
      });
      return reply.send(outcome.result);
    },
  );
}
