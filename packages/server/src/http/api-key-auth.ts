import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { readHeader } from './request-meta.js';
import { authFailureLimit } from './auth-failure-limit.js';
import type { AuthenticatedApiKey } from '../auth/api-keys.js';

/** The key from `Authorization: Bearer pk_…` or `x-api-key`; both at once must agree. */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const authorization = readHeader(request, 'authorization');
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  const header = readHeader(request, 'x-api-key')?.trim();
  if (bearer && header && bearer !== header) throw new PerchError('api_key_invalid', { message: 'Two different API keys were presented.' });
  return bearer ?? header;
}

/**
 * Authenticates every route of the encapsulating plugin with an API key and enforces the
 * route's declared scope. `admin` implies `tokens:create`. A client address whose keys keep
 * failing is throttled (see `auth-failure-limit.ts`); call it after registering the group's
 * rate-limit plugin, whose store counts the failures.
 */
export function installApiKeyAuth(app: FastifyInstance, ctx: PerchContext): void {
  const failures = authFailureLimit(app, ctx.config.limits.authFailuresPerMinute);
  app.addHook('onRequest', async (request) => {
    failures.check(request, 'api-key');
    let key: AuthenticatedApiKey;
    try {
      key = await ctx.apiKeys.authenticate(presentedApiKey(request));
    } catch (error) {
      // A refused key counts against the client's address; an unavailable store does not.
      if (error instanceof PerchError && error.status < 500) await failures.fail(request);
      throw error;
    }
    request.apiKey = key;
    const required = request.routeOptions.config.scope ?? 'admin';
    const allowed = key.scopes.includes('admin') || key.scopes.includes(required);
    if (!allowed) throw new PerchError('insufficient_scope', { message: `This route needs the ${required} scope.` });
  });
}
