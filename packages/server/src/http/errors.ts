import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PerchError, type ErrorBody, type ErrorCode } from '@perch/protocol';
import type { AuditSink } from '../audit/audit-event.js';
import { auditRefusal } from './audit-context.js';
import { isStoreConnectionError } from '../replication/store-errors.js';

/** Fastify's own error codes, mapped onto Perch's closed union. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_BAD_URL: 'invalid_request',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
  FST_ERR_VALIDATION: 'invalid_request',
};

/** Normalise anything thrown into a PerchError; unknown errors become a generic 500. */
export function toPerchError(error: unknown): PerchError {
  if (error instanceof PerchError) return error;
  const fastifyCode = (error as FastifyError | undefined)?.code;
  if (fastifyCode && FASTIFY_CODES[fastifyCode]) return new PerchError(FASTIFY_CODES[fastifyCode], { detail: (error as Error).message });
  // A lost metadata store is an outage (503), not a bug (500).
  if (isStoreConnectionError(error)) return new PerchError('store_unavailable', { detail: (error as Error).message, cause: error });
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  // Any other 4xx a plugin or Fastify raises (the docs' static files answer 403, 412 and 416, for
  // instance) is the client's mistake, and must reach it as one of Perch's codes, never as a 500.
  if (typeof status === 'number' && status >= 400 && status < 500) return new PerchError(CLIENT_STATUS_CODES[status] ?? 'invalid_request', { detail: (error as Error).message });
  return new PerchError('internal_error', { detail: error instanceof Error ? error.message : String(error), cause: error });
}

/** A plugin's 4xx status, mapped onto the code of the same meaning; any other 4xx is `invalid_request` (400). */
const CLIENT_STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  403: 'resource_forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function errorBody(error: PerchError, requestId: string): ErrorBody {
  return { error: { code: error.code, message: error.message, requestId, ...(error.path ? { path: error.path } : {}) } };
}

export function sendError(reply: FastifyReply, request: FastifyRequest, error: PerchError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.status(error.status).type('application/json; charset=utf-8').send(errorBody(error, request.id));
}

/**
 * Clients get the code, a generic message and the request id. Detail (driver messages, SQL,
 * stack traces) goes to the log only.
 */
export function installErrorHandling(app: FastifyInstance, audit: AuditSink): void {
  app.setErrorHandler(async (error, request, reply) => {
    const perchError = toPerchError(error);
    // A refused request is audited too, unless the route or hook already recorded it.
    if (request.routeOptions.config?.audit && !request.audited) {
      await auditRefusal(audit, request, perchError.code).catch((auditError: unknown) => request.log.error({ err: auditError }, 'audit of a refusal failed'));
    }
    if (perchError.status >= 500) request.log.error({ err: error, code: perchError.code }, 'request failed');
    else request.log.info({ code: perchError.code, detail: perchError.detail }, 'request refused');
    return sendError(reply, request, perchError);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, request, new PerchError('not_found', { message: 'No such route.' })));
}
