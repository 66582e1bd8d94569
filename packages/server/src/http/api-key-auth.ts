import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { readHeader } from './request-meta.js';
import { authFailureLimit, type AuthFailureLimit } from './auth-failure-limit.js';
import type { AuthenticatedApiKey } from '../auth/api-keys.js';

/** The key from `Authorization: Bearer pk_…` or `x-api-key`; both at once must agree. */
export function presentedApiKey(request: FastifyRequest): string | undefined {
  const authorization = readHeader(request, 'authorization');
  const bearer = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
  const header = readHeader(request, 'x-api-key')?.trim();
  if (bearer && header && bearer !== header) throw new PerchError('api_key_invalid', { message: 'Two different API keys were presented.' });
  return bearer ?? header;
}

/** {@link presentedApiKey}, or `undefined` where that refuses the request (two different keys). */
function presentedOrNothing(request: FastifyRequest): string | undefined {
  try {
    return presentedApiKey(request);
  } catch {
    return undefined;
  }
}

/**
 * Authenticates every route of the encapsulating plugin with an API key and enforces the
 * route's declared scope. `admin` implies `tokens:create`. A client address whose keys keep
 * failing is throttled (see `auth-failure-limit.ts`); call it after registering the group's
 * rate-limit plugin, whose store counts the failures.
 */
export function installApiKeyAuth(app: FastifyInstance, ctx: PerchContext): void {
  const failures: AuthFailureLimit = authFailureLimit(app, ctx.config.limits.authFailuresPerMinute);
  app.addHook('onRequest', async (request) => {
    const throttled = failures.isThrottled(request);
    // From a throttled address, only a key this process has already authenticated is looked up
    // (a digest and a lookup in memory decide): behind a shared address, other tenants' backends
    // keep working while a flood of unknown keys costs no store query and no audit event.
    if (throttled && !ctx.apiKeys.isRemembered(presentedOrNothing(request))) failures.refuse(request, 'api-key');
    let key: AuthenticatedApiKey;
    try {
      key = await ctx.apiKeys.authenticate(presentedApiKey(request));
    } catch (error) {
      const refused = error instanceof PerchError && error.status < 500;
      // A known key refused now (revoked, expired) from a throttled address gets the 429 as well.
      if (refused && throttled) failures.refuse(request, 'api-key');
      // A refused key counts against the client's address; an unavailable store does not.
      if (refused) await failures.fail(request);
      throw error;
    }
    request.apiKey = key;
    const required = request.routeOptions.config.scope ?? 'admin';
    const allowed = key.scopes.includes('admin') || key.scopes.includes(required);
    if (!allowed) throw new PerchError('insufficient_scope', { message: `This route needs the ${required} scope.` });
  });
}
