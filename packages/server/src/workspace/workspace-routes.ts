import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { OriginSchema, parseOrThrow, TOKEN_TTL } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditSuccess, auditSuccessOrUndo } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';
import { randomId } from '../auth/secrets.js';

export const OriginsBodySchema = z.strictObject({ origins: z.array(OriginSchema).max(200) });

export const RevocationBodySchema = z.union([
  z.strictObject({ tokenId: z.string().min(1).max(128) }),
  z.strictObject({ distinctId: z.string().min(1).max(256) }),
]);

/** Origins, token-key rotation and revocations (admin scope). */
export function registerWorkspaceRoutes(app: FastifyInstance, ctx: PerchContext): void {
  app.get('/v1/workspace/origins', { config: { audit: 'origins.read' }, schema: { summary: 'Authorized origins', tags: ['workspace'] } }, async (request) => {
    const workspace = ctx.workspaces.get(request.apiKey!.workspaceId);
    await auditSuccess(ctx.audit, request, { resource: 'origins' });
    return { origins: [...(workspace?.authorizedOrigins ?? [])].sort() };
  });

  app.put(
    '/v1/workspace/origins',
    { config: { audit: 'origins.update' }, schema: { summary: 'Replace the authorized origins', tags: ['workspace'], body: jsonSchema(OriginsBodySchema) } },
    async (request) => {
      const body = parseOrThrow(OriginsBodySchema, request.body);
      const origins = [...new Set(body.origins)].sort();
      const workspaceId = request.apiKey!.workspaceId;
      const before = [...(ctx.workspaces.get(workspaceId)?.authorizedOrigins ?? [])].sort();
      await ctx.workspaces.setOrigins(workspaceId, origins);
      await auditSuccessOrUndo(ctx.audit, request, () => ctx.workspaces.setOrigins(workspaceId, before), { resource: 'origins', details: { before, after: origins } });
      return { origins };
    },
  );

  app.post('/v1/token-keys/rotate', { config: { audit: 'token_key.rotate' }, schema: { summary: 'Add a new token key', tags: ['workspace'] } }, async (request, reply) => {
    const key = await ctx.keyring.rotate(request.apiKey!.workspaceId);
    // Like revocations, not undone when its event cannot be recorded: tokens may already be
    // minted with the new key, and the old keys stay valid for their overlap anyway.
    await auditSuccess(ctx.audit, request, { resource: `token-key:${key.kid}` });
    return reply.status(201).send({ kid: key.kid, previousKeysValidUntil: new Date(ctx.clock.now() + (TOKEN_TTL.maxSeconds + 30) * 1000).toISOString() });
  });

  app.post(
    '/v1/revocations',
    { config: { audit: 'revocation.create' }, schema: { summary: 'Revoke a token, or every token of a distinctId issued before now', tags: ['workspace'], body: jsonSchema(RevocationBodySchema) } },
    async (request, reply) => {
      const body = parseOrThrow(RevocationBodySchema, request.body);
      const workspaceId = request.apiKey!.workspaceId;
      const now = ctx.clock.now();
      // Any token a revocation can match expires within the longest TTL plus skew.
      const expiresAt = new Date(now + (TOKEN_TTL.maxSeconds + 60) * 1000);
      const id = randomId('rev');
      if ('tokenId' in body) {
        await ctx.revocations.add({ id, workspaceId, tokenId: body.tokenId, expiresAt });
      } else {
        await ctx.revocations.add({ id, workspaceId, distinctId: body.distinctId, issuedBefore: new Date(now), expiresAt });
      }
      const resource = 'tokenId' in body ? `token:${body.tokenId}` : `distinct-id:${body.distinctId}`;
      // Not undone if its event cannot be recorded: reverting a revocation would hand access back.
      await auditSuccess(ctx.audit, request, { resource, ...('distinctId' in body ? { details: { distinctId: body.distinctId } } : {}) });
      return reply.status(201).send({ id, ...body, revokedAt: new Date(now).toISOString() });
    },
  );
}
