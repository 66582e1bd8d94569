import type { FastifyRequest } from 'fastify';
import type { AuditEventInput, AuditOutcome, AuditSink } from '../audit/audit-event.js';
import { requestMeta } from './request-meta.js';
import { DEFAULT_WORKSPACE_ID } from '../store/workspaces.js';
import type { ErrorCode } from '@perch/protocol';
import type { EmbedTokenClaims } from '@perch/protocol';

type AuditExtras = Pick<AuditEventInput, 'resource' | 'details' | 'code' | 'attributes'> & {
  claims?: EmbedTokenClaims;
  /**
   * Another action than the route's, for a route that also answers what another route would:
   * the tiles batch can carry the session and the definition, audited as `session.read` and
   * `dashboard.open` exactly as if those routes had been called.
   */
  action?: AuditEventInput['action'];
};

/** Build an audit event from what the request has proven about its caller. */
export function auditEventFor(request: FastifyRequest, outcome: AuditOutcome, extras: AuditExtras = {}): AuditEventInput {
  const action = extras.action ?? request.routeOptions.config.audit;
  if (!action) throw new Error(`route ${request.routeOptions.url ?? request.url} declares no audit action`);
  const meta = requestMeta(request);
  const claims = extras.claims ?? request.embed?.claims;
  return {
    workspace: claims?.aud ?? request.apiKey?.workspaceId ?? DEFAULT_WORKSPACE_ID,
    action,
    outcome,
    resource: extras.resource ?? null,
    code: extras.code ?? null,
    distinctId: claims?.sub ?? null,
    role: claims?.user.role ?? null,
    env: claims?.env ?? request.apiKey?.env ?? null,
    apiKeyId: claims?.kid_api ?? request.apiKey?.id ?? null,
    origin: meta.origin,
    ip: meta.ip,
    userAgent: meta.userAgent,
    requestId: meta.requestId,
    ...(extras.details ? { details: extras.details } : {}),
    ...(extras.attributes ? { attributes: extras.attributes } : {}),
  };
}

/** Record the route's success event; resolves only once it is durable. */
export async function auditSuccess(audit: AuditSink, request: FastifyRequest, extras: AuditExtras = {}): Promise<void> {
  await audit.record(auditEventFor(request, 'success', extras));
  request.audited = true;
}

/**
 * Record a write's success event; when that fails, revert the write (`undo`) before the error
 * reaches the client, so a request that answers with an error has changed nothing.
 *
 * Writes that take access away (revoking an API key or a token) do not use this: they stay in
 * force when their event cannot be recorded, because undoing them would hand access back.
 *
 * @example
 * ```ts
 * const saved = await directory.create(claims, body);
 * await auditSuccessOrUndo(ctx.audit, request, saved.undo, { resource: `dashboard:${saved.dashboard.id}` });
 * ```
 */
export async function auditSuccessOrUndo(audit: AuditSink, request: FastifyRequest, undo: () => Promise<void>, extras: AuditExtras = {}): Promise<void> {
  try {
    await auditSuccess(audit, request, extras);
  } catch (error) {
    await undo().catch((undoError: unknown) => request.log.error({ err: undoError }, 'could not revert a write after its audit event failed'));
    throw error;
  }
}

export async function auditRefusal(audit: AuditSink, request: FastifyRequest, code: ErrorCode, extras: AuditExtras = {}): Promise<void> {
  await audit.record(auditEventFor(request, code === 'internal_error' ? 'error' : 'refused', { ...extras, code }));
  request.audited = true;
}
