import type { FastifyInstance } from 'fastify';
import { MintRequestSchema, PerchError } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { mintEmbedToken } from '../auth/token-mint.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';

/** `POST /v1/embed/tokens`: an API key mints a short-lived encrypted embed token. */
export function registerTokenRoutes(app: FastifyInstance, ctx: PerchContext): void {
  app.post(
    '/v1/embed/tokens',
    {
      config: { audit: 'token.mint', scope: 'tokens:create' },
      schema: {
        summary: 'Mint an embed token',
        tags: ['tokens'],
        body: jsonSchema(MintRequestSchema),
      },
    },
    async (request, reply) => {
      const apiKey = request.apiKey;
      if (!apiKey) throw new PerchError('api_key_missing');
      const minted = await mintEmbedToken(
        ctx.keyring,
        ctx.clock,
        { workspaceId: apiKey.workspaceId, issuer: ctx.config.issuer, apiKeyId: apiKey.id, env: apiKey.env },
        request.body,
      );
      await auditSuccess(ctx.audit, request, {
        claims: minted.claims,
        resource: `token:${minted.tokenId}`,
        details: { scope: minted.claims.scope, ttlSeconds: minted.claims.exp - minted.claims.iat, origins: minted.claims.origins ?? null },
        attributes: { ...minted.claims.user.attributes },
      });
      return reply.status(201).send({ token: minted.token, tokenId: minted.tokenId, expiresAt: minted.expiresAt });
    },
  );
}
