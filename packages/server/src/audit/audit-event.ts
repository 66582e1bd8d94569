import type { ErrorCode, Role, TokenEnvironment } from '@perch/protocol';

/** Every auditable action. Adding a route means adding its action here and asserting it in tests. */
export const AUDIT_ACTIONS = [
  'token.mint',
  'token.reject',
  'session.read',
  'query.run',
  'catalog.read',
  'values.read',
  'dashboard.open',
  'dashboard.list',
  'dashboard.create',
  'dashboard.update',
  'dashboard.delete',
  'dashboard.read_definition',
  'dashboard.versions',
  'dashboard.restore',
  'export.run',
  'rows.read',
  'assistant.question',
  'assistant.conversation',
  'api_key.create',
  'api_key.list',
  'api_key.rotate',
  'api_key.revoke',
  'origins.read',
  'origins.update',
  'token_key.rotate',
  'revocation.create',
  'access.explain',
  'audit.read',
  'audit.export',
  'audit.verify',
  'audit.retention',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export type AuditOutcome = 'success' | 'refused' | 'error';

/** One audit event as a route records it; the audit module adds hashes and sequence numbers. */
export interface AuditEventInput {
  workspace: string;
  action: AuditAction;
  outcome: AuditOutcome;
  resource?: string | null;
  code?: ErrorCode | null;
  distinctId?: string | null;
  role?: Role | null;
  env?: TokenEnvironment | null;
  apiKeyId?: string | null;
  origin?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  requestId: string;
  /** Action-specific detail: dataset, members, filter fingerprint, policies, rowCount, durationMs, cacheHit… */
  details?: Record<string, unknown>;
  /** Raw attributes; stored as salted digests unless the workspace turns raw values on. */
  attributes?: Record<string, unknown>;
}

/** The one audit API routes use. `record` resolves once the event is durably committed. */
export interface AuditSink {
  record(event: AuditEventInput): Promise<void>;
}
