import Fastify, { LogController, type FastifyInstance, type FastifyRequest, type RouteOptions } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { documentRoute } from './http/route-docs.js';
import { hoistSchemaDefinitions } from './http/openapi.js';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from './context.js';
import './http/fastify-types.js';
import { installErrorHandling, sendError, toPerchError } from './http/errors.js';
import { parseStrictJson } from './http/strict-json.js';
import { PERCH_HELMET_OPTIONS, securityHeaders } from './http/security-headers.js';
import { RememberedJsonBodies } from './http/remembered-json.js';
import { installApiKeyAuth } from './http/api-key-auth.js';
import { installEmbedAuth } from './http/embed-auth.js';
import { forwardedForWarning } from './http/forwarded-for-warning.js';
import { randomId } from './auth/secrets.js';
import { httpRequestDuration, metricsRegistry } from './metrics.js';
import { queryMetricsRegistry } from './query/metrics.js';
import type { RouteModule } from './http/route-module.js';
import { registerHealthRoutes, type ReadinessCheck } from './http/health-routes.js';
import { registerMetricsRoute } from './http/metrics-route.js';
import { workspaceRouteModules } from './workspace/module.js';

export type { RouteModule } from './http/route-module.js';

export interface BuildAppOptions {
  modules?: RouteModule[];
  readiness?: Record<string, ReadinessCheck>;
  /** Runs first on every embed and API-key request; replicas use it to fail closed when stale. */
  freshnessGate?: (request: FastifyRequest) => Promise<void>;
  /** Shared rate-limit counters (an ioredis client) when `REDIS_URL` is set; per replica otherwise. */
  rateLimitRedis?: unknown;
}

export interface PerchApp extends FastifyInstance {
  /** Every route registered, for the audit route-table test and the docs. */
  perchRoutes: RouteOptions[];
}

/** Parse `application/json` bodies of `scope` with `parse` (an empty body is no body). */
function useJsonParser(scope: FastifyInstance, parse: (text: string) => unknown): void {
  scope.removeContentTypeParser('application/json');
  scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? undefined : parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}

/**
 * Build the Fastify application: the HTTP edge of Perch. Routes are grouped by how they
 * authenticate, so a route cannot be added to a group without that group's checks.
 */
export async function buildApp(ctx: PerchContext, options: BuildAppOptions = {}): Promise<PerchApp> {
  // Helmet's headers, computed once (see security-headers.ts); the embed bundle is loaded
  // cross-origin by host pages, hence the cross-origin resource policy. Set when the request
  // arrives, so that every answer carries them, refusals and errors included.
  const perResponseHeaders = securityHeaders(PERCH_HELMET_OPTIONS);
  const app = Fastify({
    loggerInstance: ctx.logger,
    genReqId: () => randomId('req', 20),
    requestIdHeader: false,
    bodyLimit: ctx.config.limits.bodyBytes,
    // Off unless configured: a client could otherwise pick its own address with X-Forwarded-For.
    trustProxy: ctx.config.trustProxy,
    // Fastify's own request lines would log the full URL; Perch logs its own line without the query string.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    return503OnClosing: true,
    // A path Fastify cannot route (bad percent-encoding, a parameter over its length limit) is
    // answered like every other refusal: Perch's error body and headers, and a log line (scrubbed
    // like every line). Fastify's own answer would echo the path, credentials included, in its
    // message. Fastify runs no hooks for these requests, so the headers are set here.
    frameworkErrors: (error, request, reply) => {
      const perchError = toPerchError(error);
      // Fastify's code, not its message: the message repeats the whole URL, query string included.
      const reason = (error as { code?: unknown }).code;
      request.log.info({ code: perchError.code, reason, method: request.method, route: 'unrouted', path: request.url.split('?')[0], status: perchError.status }, 'request refused');
      reply.headers(perResponseHeaders).header('x-request-id', request.id);
      void sendError(reply, request, perchError);
    },
  }) as unknown as PerchApp;
  app.perchRoutes = [];
  app.addHook('onRoute', (route) => {
    app.perchRoutes.push(route);
  });
  // Only while X-Forwarded-For is ignored: one warning that a proxy may be hiding every client.
  const noteForwardedFor = ctx.config.trustProxy === false ? forwardedForWarning(ctx.logger) : undefined;
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(perResponseHeaders).header('x-request-id', request.id);
    noteForwardedFor?.(request);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const elapsedMs = reply.elapsedTime;
    httpRequestDuration.observe({ method: request.method, route, status: `${Math.floor(reply.statusCode / 100)}xx` }, elapsedMs / 1000);
    // The line's fields are only assembled when it is written (the level may be above info).
    if (ctx.logger.isLevelEnabled('info')) {
      request.log.info({ method: request.method, route, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(elapsedMs * 10) / 10 }, 'request');
    }
    done();
  });

  // Requests are validated by zod only; the JSON schemas are for the OpenAPI document.
  app.setValidatorCompiler(() => (data) => ({ value: data }));
  // Response schemas are documentation too (http/route-docs.ts). Fastify would otherwise compile
  // them into serializers that silently drop any field a schema does not declare, so what a
  // client receives would depend on the docs; answers stay plain JSON.stringify.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  useJsonParser(app, parseStrictJson);
  installErrorHandling(app, ctx.audit);

  await app.register(swagger, {
    transformObject: (documents) => ('openapiObject' in documents ? hoistSchemaDefinitions(documents.openapiObject) : documents.swaggerObject),
    openapi: {
      // 3.1: its schemas are JSON Schema 2020-12, which is what zod generates (tuples, record keys, null).
      openapi: '3.1.0',
      info: { title: 'Perch API', version: '1', description: 'Secure embedded analytics: tokens, governed queries, audit.' },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A pk_live_/pk_test_ API key (or the x-api-key header).' },
          embedToken: { type: 'http', scheme: 'bearer', description: 'An embed token minted by POST /v1/embed/tokens.' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const modules: RouteModule[] = [
    { kind: 'public', register: (scope) => registerHealthRoutes(scope, ctx, options.readiness) },
    ...workspaceRouteModules(),
    ...(options.modules ?? []),
  ];

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => documentRoute(route, 'public'));
    registerMetricsRoute(scope, [metricsRegistry, queryMetricsRegistry]);
    for (const mod of modules.filter((m) => m.kind === 'public')) await mod.register(scope, ctx);
  });

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => documentRoute(route, 'api-key'));
    if (options.freshnessGate) scope.addHook('onRequest', options.freshnessGate);
    await scope.register(rateLimit, {
      ...(options.rateLimitRedis ? { redis: options.rateLimitRedis, nameSpace: 'perch-rl-api-', skipOnError: true } : {}),
      max: ctx.config.limits.apiKeyRatePerMinute,
      timeWindow: 60_000,
      // Fastify runs this limiter after the group's authentication hook, so the key is known:
      // its id is the bucket, however the header spelled it (spacing, x-api-key or Bearer).
      keyGenerator: (request) => (request.apiKey ? `key:${request.apiKey.id}` : `ip:${request.ip}`),
      errorResponseBuilder: (_request, context) => new PerchError('rate_limited', { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
    });
    installApiKeyAuth(scope, ctx);
    for (const mod of modules.filter((m) => m.kind === 'api-key')) await mod.register(scope, ctx);
  });

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => documentRoute(route, 'embed'));
    if (options.freshnessGate) scope.addHook('onRequest', options.freshnessGate);
    await scope.register(rateLimit, {
      ...(options.rateLimitRedis ? { redis: options.rateLimitRedis, nameSpace: 'perch-rl-embed-', skipOnError: true } : {}),
      max: ctx.config.limits.tokenRatePerMinute,
      timeWindow: 60_000,
      // After the token's verification (see above): its id is the bucket, so no other spelling of
      // the same token's text gets a bucket of its own.
      keyGenerator: (request) => (request.embed ? `token:${request.embed.claims.jti}` : `ip:${request.ip}`),
      // Embed routes answer browsers, which cannot read x-ratelimit-* (CORS does not expose
      // them), so allowed requests go without; a 429 still carries them and Retry-After.
      addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
      errorResponseBuilder: (_request, context) => new PerchError('rate_limited', { retryAfterSeconds: Math.ceil(context.ttl / 1000) }),
    });
    // Embed bodies repeat (every load of a dashboard sends the same ones): remembered, frozen.
    const bodies = new RememberedJsonBodies();
    useJsonParser(scope, (text) => bodies.parse(text));
    await installEmbedAuth(scope, ctx);
    for (const mod of modules.filter((m) => m.kind === 'embed')) await mod.register(scope, ctx);
  });

  return app;
}
