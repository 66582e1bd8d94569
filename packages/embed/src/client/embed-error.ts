import { PerchError, isErrorCode, type ErrorCode } from '@perch/protocol/errors';

/**
 * A failed Perch API call as seen from the browser. It is a `PerchError` (same closed `code`
 * union) plus the HTTP status and the server's `requestId`, so a host can quote it to support.
 */
export class EmbedRequestError extends PerchError {
  readonly requestId: string | undefined;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message: string, httpStatus: number, requestId?: string) {
    super(code, { message });
    this.httpStatus = httpStatus;
    this.requestId = requestId;
  }
}

/**
 * Turn an error response into an `EmbedRequestError`. Only the code, message and requestId are
 * kept; an unknown code becomes `internal_error` so callers can always switch exhaustively.
 */
export async function errorFromResponse(response: Response): Promise<EmbedRequestError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; requestId?: unknown } } | undefined)?.error;
  const code: ErrorCode = isErrorCode(error?.code) ? error.code : response.status === 404 ? 'not_found' : 'internal_error';
  const message = typeof error?.message === 'string' ? error.message : `Request failed with status ${response.status}.`;
  const requestId = typeof error?.requestId === 'string' ? error.requestId : undefined;
  return new EmbedRequestError(code, message, response.status, requestId);
}

/** True for the DOMException fetch throws when its AbortSignal fires. */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}
