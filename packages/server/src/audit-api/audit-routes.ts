import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '@perch/protocol';
import type { RouteModule } from '../http/route-module.js';
import type { AuditTrail } from '../audit/index.js';
import { AUDIT_ACTIONS } from '../audit/audit-event.js';
import { auditSuccess } from '../http/audit-context.js';
import { jsonSchema } from '../http/openapi.js';

const FilterQuerySchema = z.strictObject({
  distinctId: z.string().min(1).max(256).optional(),
  action: z.enum(AUDIT_ACTIONS).optional(),
  outcome: z.enum(['success', 'refused', 'error']).optional(),
  resource: z.string().min(1).max(512).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const AuditListQuerySchema = FilterQuerySchema.extend({
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  cursor: z.string().min(1).max(256).optional(),
});

export const AuditExportQuerySchema = FilterQuerySchema.extend({ format: z.enum(['ndjson', 'csv']).default('ndjson') });

export const AuditVerifyQuerySchema = z.strictObject({ fromCheckpoint: z.coerce.number().int().min(0).optional() });

type Trail = Pick<AuditTrail, 'query' | 'export' | 'verify' | 'record'>;

/**
 * `GET /v1/audit`, `/v1/audit/export` and `/v1/audit/verify` (API key with `admin` scope).
 * Reading the trail is itself audited, before any event is returned.
 */
export function createAuditModule(trail: Trail): RouteModule {
  return {
    kind: 'api-key',
    register(app: FastifyInstance) {
      app.get(
        '/v1/audit',
        { config: { audit: 'audit.read' }, schema: { summary: 'Audit events, newest first, with cursor pagination', tags: ['audit'], querystring: jsonSchema(AuditListQuerySchema) } },
        async (request) => {
          const query = parseOrThrow(AuditListQuerySchema, request.query);
          const workspace = request.apiKey!.workspaceId;
          await auditSuccess(trail, request, { resource: 'audit', details: { filters: query } });
          return trail.query({ workspace, ...query });
        },
      );

      app.get(
        '/v1/audit/export',
        { config: { audit: 'audit.export' }, schema: { summary: 'Stream the trail as NDJSON or CSV', tags: ['audit'], querystring: jsonSchema(AuditExportQuerySchema) } },
        async (request, reply) => {
          const { format, ...filters } = parseOrThrow(AuditExportQuerySchema, request.query);
          const workspace = request.apiKey!.workspaceId;
          await auditSuccess(trail, request, { resource: 'audit', details: { format, filters } });
          const body = Readable.from(trail.export({ workspace, ...filters }, format));
          return reply
            .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
            .header('content-disposition', `attachment; filename="perch-audit-${workspace}.${format === 'csv' ? 'csv' : 'ndjson'}"`)
            .send(body);
        },
      );

      app.get(
        '/v1/audit/verify',
        { config: { audit: 'audit.verify' }, schema: { summary: 'Verify the hash chain; names the first broken event', tags: ['audit'], querystring: jsonSchema(AuditVerifyQuerySchema) } },
        async (request) => {
          const options = parseOrThrow(AuditVerifyQuerySchema, request.query);
          const workspace = request.apiKey!.workspaceId;
          const result = await trail.verify(workspace, options.fromCheckpoint === undefined ? {} : { fromCheckpoint: options.fromCheckpoint });
          await auditSuccess(trail, request, { resource: 'audit', details: { ok: result.ok, checked: result.checked, firstBroken: result.firstBroken ?? null } });
          return result;
        },
      );
    },
  };
}
