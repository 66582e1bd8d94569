import type { FastifyInstance } from 'fastify';
import type { PerchContext } from '../context.js';

/**
 * A group of routes a feature folder owns, for `buildApp({ modules })`. Declared here, beside the
 * HTTP layer it plugs into, rather than in `app.ts`: features import this type, and `app.ts`
 * imports the features, so the type living in `app.ts` would make every feature and the
 * assembler depend on each other.
 *
 * @example
 * ```ts
 * const health: RouteModule = { kind: 'public', register: (app) => app.get('/ping', async () => ({ ok: true })) };
 * ```
 */
export interface RouteModule {
  /** `api-key` routes get API-key auth and no CORS; `embed` routes get CORS and token verification. */
  kind: 'api-key' | 'embed' | 'public';
  register(app: FastifyInstance, ctx: PerchContext): void | Promise<void>;
}
