import type { FastifyInstance } from 'fastify';
import type { PerchContext } from '../context.js';
import { pingStore } from '../store/database.js';

/** Readiness checks beyond the store (datasources, audit) register here. */
export type ReadinessCheck = () => Promise<void>;

/** `/healthz`: the process lives. `/readyz`: the store and every registered dependency answer. */
export function registerHealthRoutes(app: FastifyInstance, ctx: PerchContext, checks: Record<string, ReadinessCheck> = {}): void {
  app.get('/healthz', { schema: { summary: 'Liveness', tags: ['operations'] } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { summary: 'Readiness', tags: ['operations'] } }, async (_request, reply) => {
    const all: Record<string, ReadinessCheck> = { store: () => pingStore(ctx.store), ...checks };
    const results: Record<string, 'ok' | 'unavailable'> = {};
    await Promise.all(
      Object.entries(all).map(async ([name, check]) => {
        results[name] = await check().then(
          () => 'ok' as const,
          () => 'unavailable' as const,
        );
      }),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks: results });
  });
}
