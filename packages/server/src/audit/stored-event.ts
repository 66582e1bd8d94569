import type { Selectable } from 'kysely';
import type { ErrorCode, Role, TokenEnvironment } from '@perch/protocol';
import type { AuditAction, AuditOutcome } from './audit-event.js';
import type { AuditEventsTable } from './audit-schema.js';
import type { HashedAuditFields } from './chain-hash.js';

/** One committed audit event, as queries and exports return it: the hashed fields, typed, plus the hashes. */
export interface AuditEvent extends Omit<HashedAuditFields, 'action' | 'outcome' | 'code' | 'role' | 'env'> {
  action: AuditAction;
  outcome: AuditOutcome;
  code: ErrorCode | null;
  role: Role | null;
  env: TokenEnvironment | null;
  prevHash: string;
  hash: string;
}

export type AuditEventRow = Selectable<AuditEventsTable>;

/** Segment of a sequence number: segment k holds seq k·size+1 … (k+1)·size. */
export function segmentOf(seq: number, segmentSize: number): number {
  return Math.floor((seq - 1) / segmentSize);
}

/** Map a stored row back to the event; the exact inverse of what the writer inserted. */
export function eventFromRow(row: AuditEventRow): AuditEvent {
  return {
    workspace: row.workspace_id,
    seq: Number(row.seq),
    segment: Number(row.segment),
    time: new Date(row.time).toISOString(),
    action: row.action as AuditAction,
    outcome: row.outcome as AuditOutcome,
    resource: row.resource,
    code: row.code as ErrorCode | null,
    distinctId: row.distinct_id,
    role: row.role as Role | null,
    env: row.env as TokenEnvironment | null,
    apiKeyId: row.api_key_id,
    origin: row.origin,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    details: row.details,
    attributes: row.attributes,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The part of an event its chain hash covers (everything but `prevHash` and `hash`). */
export function hashedFieldsOf(event: AuditEvent): HashedAuditFields {
  const { prevHash: _prev, hash: _hash, ...fields } = event;
  return fields;
}
