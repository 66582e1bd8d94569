import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { readHeader } from './request-meta.js';

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
 * route's declared scope. `admin` implies `tokens:create`.
 */
export function installApiKeyAuth(app: FastifyInstance, ctx: PerchContext): void {
  app.addHook('onRequest', async (request) => {
    const key = await ctx.apiKeys.authenticate(presentedApiKey(request));
    request.apiKey = key;
    const required = request.routeOptions.config.scope ?? 'admin';
    const allowed = key.scopes.includes('admin') || key.scopes.includes(required);
    if (!allowed) throw new PerchError('insufficient_scope', { message: `This route needs the ${required} scope.` });
  });
}
