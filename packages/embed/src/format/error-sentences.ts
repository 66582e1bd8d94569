import type { ErrorCode } from '@perch/protocol/errors';

/**
 * The sentence an end user reads for an error code. The code and request id stay available
 * behind "Details" for support; the sentence says what happened and what to do, in words a
 * customer of the host understands, and never repeats server text (which is written for developers).
 *
 * @example
 * errorSentence('query_timeout') // "This took too long to load."
 */
export function errorSentence(code: ErrorCode): string {
  switch (code) {
    case 'token_fetch_failed':
      return 'We could not sign you in to this dashboard.';
    case 'token_missing':
    case 'token_expired':
    case 'token_revoked':
    case 'token_malformed':
    case 'token_too_large':
    case 'token_header_invalid':
    case 'token_unknown_key':
    case 'token_decryption_failed':
    case 'token_claims_invalid':
    case 'token_wrong_issuer':
    case 'token_wrong_audience':
    case 'token_not_yet_valid':
    case 'token_environment_mismatch':
      return 'Your session has ended. Reload the page to sign in again.';
    case 'origin_forbidden':
      return 'This page is not allowed to show this dashboard.';
    case 'role_forbidden':
    case 'resource_forbidden':
    case 'dataset_forbidden':
    case 'member_forbidden':
    case 'scope_forbidden':
    case 'rls_attribute_missing':
    case 'rls_attribute_invalid':
    case 'tenant_route_invalid':
      return 'You do not have access to this data.';
    case 'not_found':
      return 'This dashboard does not exist or was removed.';
    case 'query_timeout':
      return 'This took too long to load.';
    case 'result_too_large':
      return 'There is too much data to show here. Narrow the filters.';
    case 'rate_limited':
      return 'Too many requests at once. Wait a moment.';
    case 'network_error':
      return 'The data could not be reached. Check your connection.';
    case 'datasource_unavailable':
    case 'store_unavailable':
    case 'audit_unavailable':
    case 'freshness_unknown':
      return 'The data is temporarily unavailable.';
    default:
      return 'Something went wrong while loading this data.';
  }
}

/** Whether trying again can help (a refusal or a bad model will fail the same way again). */
export function isRetryable(code: ErrorCode): boolean {
  return !/^(role|resource|dataset|member|scope)_forbidden$|^rls_attribute_|^tenant_route_invalid$|^origin_forbidden$|^not_found$|^model_invalid$/.test(code);
}
