import { PerchError, isErrorCode, type ErrorCode } from '@perch/protocol';

/**
 * An error answered by the Perch API (or a failure to reach it). A `PerchError`, so `code` is
 * from the protocol's closed union; plus the HTTP `status` (0 when no response arrived) and the
 * `requestId` to quote when asking for help.
 *
 * @example
 * ```ts
 * try { await perch.createEmbedToken(input) } catch (e) {
 *   if (e instanceof PerchApiError && e.code === 'unknown_role') ...
 * }
 * ```
 */
export class PerchApiError extends PerchError {
  readonly httpStatus: number;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, options: { message: string; status: number; requestId?: string | undefined; path?: string | undefined; cause?: unknown }) {
    super(code, { message: options.message, path: options.path, cause: options.cause });
    this.httpStatus = options.status;
    this.requestId = options.requestId;
  }

  /** The HTTP status Perch answered with (0 if the request never got an answer). */
  override get status(): number {
    return this.httpStatus;
  }
}

const FALLBACK_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_request',
  401: 'api_key_invalid',
  403: 'insufficient_scope',
  404: 'not_found',
  409: 'conflict',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Build a `PerchApiError` from a non-2xx response. */
export async function apiErrorFromResponse(response: Response): Promise<PerchApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; requestId?: unknown; path?: unknown } } | undefined)?.error;
  const code: ErrorCode = isErrorCode(error?.code) ? error.code : (FALLBACK_BY_STATUS[response.status] ?? 'internal_error');
  return new PerchApiError(code, {
    message: typeof error?.message === 'string' ? error.message : `Perch answered HTTP ${response.status}.`,
    status: response.status,
    requestId: typeof error?.requestId === 'string' ? error.requestId : (response.headers.get('x-request-id') ?? undefined),
    path: typeof error?.path === 'string' ? error.path : undefined,
  });
}
