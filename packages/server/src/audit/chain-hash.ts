import { hash } from 'node:crypto';
import { canonicalJson } from '@perch/protocol';
import type { HashedAuditFields } from './hashed-fields.js';

/** The `prev_hash` of a workspace's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export type { HashedAuditFields } from './hashed-fields.js';

/**
 * `hash = hex(SHA-256(prev_hash ‖ canonicalJson(fields)))`, where `prev_hash` is the previous
 * event's hash as 64 lowercase hex characters and `‖` is plain string concatenation (UTF-8).
 * The store computes the same when it appends (migration `0009-audit-append-locked`);
 * verification recomputes it here for every event.
 *
 * @example
 * ```ts
 * const hash = chainHash(GENESIS_HASH, fields); // 64 hex characters
 * ```
 */
export function chainHash(prevHash: string, fields: HashedAuditFields): string {
  return hash('sha256', prevHash + canonicalJson(fields), 'hex');
}
