import type { FastifyInstance, FastifyRequest } from 'fastify';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { TokenRejectedError } from '../auth/token-verify.js';
import { readHeader } from './request-meta.js';
import { auditEventFor } from './audit-context.js';
import { tokenVerifications } from '../metrics.js';

/**
 * Embed-token routes: CORS and verification.
 *
 * CORS reflects the request's exact Origin (never `*`) with `Vary: Origin`. Preflights carry no
 * credentials and return no data, so they are answered for any origin; the real request is
 * then verified, and an origin that the workspace and the token do not both authorize gets
 * 403 `origin_forbidden` before any handler runs. An unauthorized page can therefore read
 * exactly one thing: that error code.
 */
export async function installEmbedAuth(app: FastifyInstance, ctx: PerchContext): Promise<void> {
  // The preflight route of the CORS plugin matches every path, so it is limited to the paths of
  // embed routes: an API-key route must never answer a browser's preflight.
  const embedPaths: RegExp[] = [];
  const embedRoutes = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' || route.url === '*') return;
    embedPaths.push(pathPattern(route.url));
    embedRoutes.add(route.url);
  });
  // Built once: every request gets one of these two (`origin: true` echoes the request's Origin).
  const shared = { methods: ['GET', 'POST', 'PUT', 'DELETE'], allowedHeaders: ['authorization', 'content-type'], exposedHeaders: ['x-request-id', 'retry-after'], maxAge: 600, credentials: false };
  const echoOrigin: FastifyCorsOptions = Object.freeze({ ...shared, origin: true });
  const noCors: FastifyCorsOptions = Object.freeze({ ...shared, origin: false });
  await app.register(cors, () => (request: FastifyRequest, callback: (error: Error | null, options: FastifyCorsOptions) => void) => {
    const origin = request.headers.origin;
    if (origin === undefined || origin === 'null') return callback(null, noCors);
    // A request that matched an embed route is answered by route (a set lookup); the plugin's
    // catch-all preflight route matches any path, so a preflight is checked against the paths.
    const route = request.routeOptions.url;
    if (route !== undefined && embedRoutes.has(route)) return callback(null, echoOrigin);
    const path = request.url.split('?')[0] ?? '';
    callback(null, request.method === 'OPTIONS' && embedPaths.some((p) => p.test(path)) ? echoOrigin : noCors);
  });

  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    try {
      request.embed = await ctx.verifier.verify({
        authorization: readHeader(request, 'authorization'),
        url: request.url,
        origin: readHeader(request, 'origin'),
      });
      tokenVerifications.inc({ outcome: request.embed.cached ? 'cached' : 'ok' });
    } catch (error) {
      const code = error instanceof PerchError ? error.code : 'token_malformed';
      tokenVerifications.inc({ outcome: code });
      const claims = error instanceof TokenRejectedError ? error.claims : undefined;
      // A rejected token is an auditable event in its own right, whatever route it aimed at.
      await ctx.audit
        .record({ ...auditEventFor(request, 'refused', { code, ...(claims ? { claims } : {}), resource: request.routeOptions.url ?? null }), action: 'token.reject' })
        .catch((auditError: unknown) => request.log.error({ err: auditError }, 'audit of a token rejection failed'));
      request.audited = true;
      throw error instanceof PerchError ? error : new PerchError('token_malformed');
    }
  });
}

/** `/v1/dashboards/:id` → `^/v1/dashboards/[^/]+$`. */
function pathPattern(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${escaped}$`);
}
