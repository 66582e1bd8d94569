import type { AuditEventInput, AuditSink } from '../../src/audit/audit-event.js';

/**
 * Collects events in memory so route tests can assert exactly what each route recorded.
 * Used only by tests of routes; the audit trail's own suite tests durable storage.
 */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEventInput[] = [];
  failing = false;

  async record(event: AuditEventInput): Promise<void> {
    if (this.failing) {
      const { PerchError } = await import('@perch/protocol');
      throw new PerchError('audit_unavailable');
    }
    this.events.push(event);
  }

  byRequest(requestId: string): AuditEventInput[] {
    return this.events.filter((e) => e.requestId === requestId);
  }
}
