import type { JsonValue } from '@perch/protocol';

/**
 * Every stored field of an event except its hashes; exactly what the chain hash covers. Its own
 * module, so the serializer and the chain hash both read it without importing each other.
 */
export interface HashedAuditFields {
  workspace: string;
  seq: number;
  segment: number;
  /** ISO 8601 with milliseconds, UTC (`Date#toISOString`). */
  time: string;
  action: string;
  outcome: string;
  resource: string | null;
  code: string | null;
  distinctId: string | null;
  role: string | null;
  env: string | null;
  apiKeyId: string | null;
  origin: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string;
  details: { [key: string]: JsonValue };
  attributes: { [key: string]: JsonValue } | null;
}
