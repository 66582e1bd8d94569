/**
 * Perch's closed set of error codes. Every error a client can see carries exactly one of these,
 * so callers can `switch (err.code)` exhaustively. The HTTP status lives here too, but it is only
 * applied at the HTTP edge (see `httpStatusOf`).
 */
export const ERROR_STATUS = {
  // Request shape (400)
  invalid_json: 400,
  duplicate_key: 400,
  json_too_deep: 400,
  unknown_field: 400,
  invalid_request: 400,
  invalid_type: 400,
  missing_field: 400,
  value_too_large: 400,
  nul_byte: 400,
  forbidden_key: 400,
  invalid_attribute_key: 400,
  invalid_attribute_value: 400,
  too_many_attributes: 400,
  ttl_out_of_range: 400,
  unknown_role: 400,
  invalid_origin: 400,
  body_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  // Semantic query (400)
  unknown_dataset: 400,
  unknown_member: 400,
  unknown_operator: 400,
  unknown_granularity: 400,
  invalid_date_range: 400,
  invalid_filter_value: 400,
  invalid_limit: 400,
  filter_too_deep: 400,
  too_many_filters: 400,
  // API-key authentication (401/403)
  api_key_missing: 401,
  api_key_invalid: 401,
  api_key_revoked: 401,
  api_key_expired: 401,
  insufficient_scope: 403,
  // Embed-token verification (400/401/403)
  token_missing: 401,
  token_in_url: 400,
  token_too_large: 401,
  token_malformed: 401,
  token_header_invalid: 401,
  token_unknown_key: 401,
  token_decryption_failed: 401,
  token_claims_invalid: 401,
  token_wrong_issuer: 401,
  token_wrong_audience: 401,
  token_expired: 401,
  token_not_yet_valid: 401,
  token_revoked: 401,
  token_environment_mismatch: 403,
  origin_forbidden: 403,
  // Access control (403)
  role_forbidden: 403,
  resource_forbidden: 403,
  dataset_forbidden: 403,
  member_forbidden: 403,
  rls_attribute_missing: 403,
  rls_attribute_invalid: 403,
  scope_forbidden: 403,
  // Resources
  not_found: 404,
  conflict: 409,
  edit_conflict: 409,
  precondition_required: 428,
  too_many_tiles: 400,
  too_many_dashboards: 409,
  method_not_allowed: 405,
  rate_limited: 429,
  // Query execution
  query_timeout: 504,
  result_too_large: 422,
  query_cancelled: 499,
  // Model
  model_invalid: 500,
  // Availability (503) — fail closed rather than serve unverified or unaudited data
  datasource_unavailable: 503,
  store_unavailable: 503,
  audit_unavailable: 503,
  freshness_unknown: 503,
  internal_error: 500,
  // Client side: the request never reached Perch (offline, DNS, CORS refusal)
  network_error: 503,
  // Client side: the host's `fetchToken` callback threw or rejected, so no token was available
  token_fetch_failed: 401,
} as const satisfies Record<string, number>;

/** The closed union of error codes. */
export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** Generic, client-safe messages. Details go to logs and the audit trail, never to the client. */
const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  internal_error: 'An internal error occurred.',
  datasource_unavailable: 'The data source is unavailable. Try again shortly.',
  store_unavailable: 'The metadata store is unavailable. Try again shortly.',
  audit_unavailable: 'The audit trail cannot record this request, so it was not served.',
  freshness_unknown: 'This replica cannot confirm revocation state, so it refuses to serve.',
  rate_limited: 'Too many requests.',
  origin_forbidden: 'The request origin is not authorized.',
  token_expired: 'The embed token has expired.',
  uri_too_long: 'The URL is too long.',
};

export interface PerchErrorOptions {
  /** JSON path of the offending field, e.g. `user.attributes.region`. */
  path?: string;
  /** Client-safe message. Defaults to a generic message for the code. */
  message?: string;
  /** Internal detail for logs and audit; never sent to a client. */
  detail?: string;
  /** Seconds to wait before retrying (rate limits). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * The one error class of Perch. Modelled on jose's errors: a stable `code` from a closed union.
 *
 * @example
 * ```ts
 * try { verify(token) } catch (e) {
 *   if (e instanceof PerchError) switch (e.code) { case 'token_expired': refresh(); break }
 * }
 * ```
 */
export class PerchError extends Error {
  override readonly name = 'PerchError';
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: PerchErrorOptions = {}) {
    super(options.message ?? GENERIC_MESSAGES[code] ?? defaultMessage(code), { cause: options.cause });
    this.code = code;
    this.path = options.path;
    this.detail = options.detail;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return httpStatusOf(this.code);
  }
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function isPerchError(value: unknown): value is PerchError {
  return value instanceof PerchError;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

function defaultMessage(code: ErrorCode): string {
  const text = code.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; path?: string };
}
