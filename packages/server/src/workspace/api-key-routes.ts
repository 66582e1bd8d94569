import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { PerchError, parseOrThrow } from '@perch/protocol';
import type { PerchContext } from '../context.js';
import { auditSuccess, auditSuccessOrUndo } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';

export const CreateApiKeySchema = z.strictObject({
  name: z.string().min(1).max(128),
  env: z.enum(['live', 'test']).default('live'),
  scopes: z.array(z.enum(['tokens:create', 'admin'])).min(1).max(2).default(['tokens:create']),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

export const RotateApiKeySchema = z.strictObject({
  /** How long the old key keeps working, in seconds (default one day, at most 30 days). */
  gracePeriodSeconds: z.number().int().min(0).max(30 * 86_400).default(86_400),
});

const IdParams = z.strictObject({ id: z.string().min(1).max(64) });

/** API-key management (admin scope). The key itself appears only in create and rotate responses. */
export function registerApiKeyRoutes(app: FastifyInstance, ctx: PerchContext): void {
  app.get('/v1/api-keys', { config: { audit: 'api_key.list' }, schema: { summary: 'List API keys', tags: ['api-keys'] } }, async (request) => {
    const workspaceId = request.apiKey!.workspaceId;
    const apiKeys = await ctx.apiKeys.list(workspaceId);
    await auditSuccess(ctx.audit, request, { resource: 'api-keys' });
    return { apiKeys };
  });

  app.post(
    '/v1/api-keys',
    { config: { audit: 'api_key.create' }, schema: { summary: 'Create an API key (shown once)', tags: ['api-keys'], body: jsonSchema(CreateApiKeySchema) } },
    async (request, reply) => {
      const body = parseOrThrow(CreateApiKeySchema, request.body);
      const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= ctx.clock.now()) throw new PerchError('invalid_request', { path: 'expiresAt', message: 'expiresAt: must be in the future' });
      const { undo, ...created } = await ctx.apiKeys.create({ workspaceId: request.apiKey!.workspaceId, name: body.name, env: body.env, scopes: body.scopes, expiresAt });
      // An unaudited key is deleted before anyone sees it.
      await auditSuccessOrUndo(ctx.audit, request, undo, { resource: `api-key:${created.apiKey.id}`, details: { env: body.env, scopes: body.scopes } });
      return reply.status(201).send(created);
    },
  );

  app.delete('/v1/api-keys/:id', { config: { audit: 'api_key.revoke' }, schema: { summary: 'Revoke an API key', tags: ['api-keys'], params: jsonSchema(IdParams) } }, async (request) => {
    const { id } = parseOrThrow(IdParams, request.params);
    if (id === request.apiKey!.id) throw new PerchError('conflict', { path: 'id', message: 'An API key cannot revoke itself.' });
    const apiKey = await ctx.apiKeys.revoke(request.apiKey!.workspaceId, id);
    // Not undone if its event cannot be recorded: reverting a revocation would hand access back.
    await auditSuccess(ctx.audit, request, { resource: `api-key:${id}` });
    return { apiKey };
  });

  app.post(
    '/v1/api-keys/:id/rotate',
    { config: { audit: 'api_key.rotate' }, schema: { summary: 'Rotate an API key with a grace period', tags: ['api-keys'], params: jsonSchema(IdParams), body: jsonSchema(RotateApiKeySchema) } },
    async (request, reply) => {
      const { id } = parseOrThrow(IdParams, request.params);
      const body = parseOrThrow(RotateApiKeySchema, request.body ?? {});
      const { undo, ...rotated } = await ctx.apiKeys.rotate(request.apiKey!.workspaceId, id, new Date(ctx.clock.now() + body.gracePeriodSeconds * 1000));
      // Unaudited, the rotation is undone: the old key keeps its deadline and can be rotated again.
      await auditSuccessOrUndo(ctx.audit, request, undo, { resource: `api-key:${id}`, details: { replacedBy: rotated.apiKey.id, gracePeriodSeconds: body.gracePeriodSeconds } });
      return reply.status(201).send(rotated);
    },
  );
}
