import Fastify from 'fastify';
import type { QueryService } from '../../packages/server/src/query/index.js';
import type { PerchContext } from '../../packages/server/src/context.js';
import { auditSuccess } from '../../packages/server/src/http/audit-context.js';
import '../../packages/server/src/http/fastify-types.js';

export interface GovernedFloor {
  /** `http://127.0.0.1:<port>`; `POST /v1/query` answers as Perch's route does. */
  url: string;
  close(): Promise<void>;
}

/**
 * The least a governed query can do per request, for attribution: a bare Fastify (no logger, no
 * plugins) whose one route does only the three steps every governed answer requires, with
 * Perch's own parts: verify the embed token (`ctx.verifier`), run the query through the RLS
 * compiler and the result cache (`service.run`), and record its `query.run` event durably
 * (`ctx.audit`) before the rows are sent.
 *
 * Everything else a Perch request passes through is left out: security headers, CORS, rate
 * limits, request ids, logging, metrics, error mapping. So the floor's throughput, as a share of
 * the bare route, is the most a Perch with these parts could reach however cheap its HTTP layer
 * became. It is not a way to serve queries: it refuses nothing gracefully and is never
 * reachable from `perch serve`.
 *
 * @example
 * ```ts
 * const floor = await startGovernedFloor(perch.perch.ctx, service);
 * await runAutocannon({ url: `${floor.url}/v1/query`, method: 'POST', headers, body });
 * await floor.close();
 * ```
 */
export async function startGovernedFloor(ctx: PerchContext, service: QueryService): Promise<GovernedFloor> {
  const app = Fastify({ logger: false });
  app.post('/v1/query', { config: { audit: 'query.run' } }, async (request, reply) => {
    request.embed = await ctx.verifier.verify({ authorization: request.headers.authorization, url: request.url, origin: request.headers.origin });
    const claims = request.embed.claims;
    const outcome = await service.run(claims, request.body);
    await auditSuccess(ctx.audit, request, { resource: outcome.resource, details: outcome.audit, attributes: claims.user.attributes });
    return reply.send(outcome.result);
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
