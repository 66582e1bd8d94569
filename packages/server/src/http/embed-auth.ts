import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { TokenRejectedError } from '../auth/token-verify.js';
import { readHeader } from './request-meta.js';
import { auditEventFor } from './audit-context.js';
import { tokenVerifications } from '../metrics.js';
import { authFailureLimit, type AuthFailureLimit } from './auth-failure-limit.js';

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
  // The preflight route of the CORS plugin matches every path, so preflights are limited to the
  // paths of embed routes: an API-key route must never answer a browser's preflight. Any other
  // request that reaches this scope matched an embed route.
  const embedPaths: RegExp[] = [];
  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' || route.url === '*') return;
    embedPaths.push(pathPattern(route.url));
  });
  // Runs before the CORS plugin's hook, which would otherwise answer the preflight.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'OPTIONS') return done();
    const path = request.url.split('?')[0] ?? '';
    done(embedPaths.some((pattern) => pattern.test(path)) ? undefined : new PerchError('not_found', { message: 'No such route.' }));
  });
  // Static options, normalized once by the plugin (a per-request options function is normalized
  // again on every request). The origin check echoes any real Origin, never `*` and never the
  // opaque `null`; whether that origin may read data is decided by token verification below.
  await app.register(cors, {
    origin: (origin: string | undefined, callback: (error: Error | null, allow: boolean) => void) => callback(null, origin !== undefined && origin !== 'null'),
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    // if-match: the dashboard editor's saves name the version they replace (409 edit_conflict when stale).
    allowedHeaders: ['authorization', 'content-type', 'if-match'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
    credentials: false,
  });

  const failures: AuthFailureLimit = authFailureLimit(app, ctx.config.limits.authFailuresPerMinute);
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') return;
    const input = { authorization: readHeader(request, 'authorization'), url: request.url, origin: readHeader(request, 'origin') };
    if (failures.isThrottled(request)) {
      // Only a token already verified and cached gets through from a throttled address, with the
      // cache hit's checks and no decryption: behind a shared address, other tenants' dashboards
      // keep working while a forged flood still costs one digest each. Anything else, a revoked
      // or foreign-origin token included, gets the 429, unaudited.
      const cached = ctx.verifier.verifyCached(input);
      if (!cached) failures.refuse(request, 'embed');
      request.embed = cached;
      tokenVerifications.inc({ outcome: 'cached' });
      return;
    }
    try {
      request.embed = await ctx.verifier.verify(input);
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
      await failures.fail(request);
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
