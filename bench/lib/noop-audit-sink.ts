import type { AuditEventInput, AuditSink } from '../../packages/server/src/audit/audit-event.js';

/**
 * Records nothing. It exists ONLY so the benchmark harness can measure what the audit trail
 * costs (throughput and latency with and without it). No configuration setting, environment
 * variable or route selects it: a running Perch always audits.
 */
export class NoopAuditSink implements AuditSink {
  async record(_event: AuditEventInput): Promise<void> {}
  async drain(): Promise<void> {}
  async close(): Promise<void> {}
}
