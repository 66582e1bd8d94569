import type { FastifyInstance } from 'fastify';
import type { EmbedTokenClaims, SessionResponse } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditSuccess } from '../http/audit-context.js';

/** `GET /v1/embed/session`: who am I. Attribute *keys* only; values never leave the server. */
export function registerSessionRoutes(app: FastifyInstance, ctx: PerchContext): void {
  app.get('/v1/embed/session', { config: { audit: 'session.read' }, schema: { summary: 'The verified embed session', tags: ['embed'] } }, async (request) => {
    const body = presentSession(request.embed!.claims);
    await auditSuccess(ctx.audit, request, { resource: 'session' });
    return body;
  });
}

/** The session as a client sees it (also sent at the head of a dashboard's first tiles batch). */
export function presentSession(claims: EmbedTokenClaims): SessionResponse {
  return {
    distinctId: claims.sub,
    role: claims.user.role,
    scope: claims.scope,
    expiresAt: new Date(claims.exp * 1000).toISOString(),
    env: claims.env,
    attributeKeys: Object.keys(claims.user.attributes).sort(),
  };
}
