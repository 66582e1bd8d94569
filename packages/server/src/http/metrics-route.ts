import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';

/**
 * `GET /metrics`: Prometheus metrics of every registry given. Registries are passed in, not
 * imported, so this route depends on no feature that keeps metrics.
 *
 * @example
 * ```ts
 * registerMetricsRoute(scope, [metricsRegistry, queryMetricsRegistry]);
 * ```
 */
export function registerMetricsRoute(app: FastifyInstance, registries: readonly Registry[]): void {
  app.get('/metrics', { schema: { summary: 'Prometheus metrics', tags: ['operations'] } }, async (_request, reply) => {
    // Merged per scrape, so metrics a module registers later are never missed.
    const all = Registry.merge([...registries]);
    return reply.type(all.contentType).send(await all.metrics());
  });
}
