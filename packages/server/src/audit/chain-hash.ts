import { hash } from 'node:crypto';
import { hasArrayIndexKey, legacyCanonicalJson } from './canonical-json.js';
import { serializeEvent } from './event-json.js';
import type { HashedAuditFields } from './hashed-fields.js';

/** The `prev_hash` of a workspace's first event: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

export type { HashedAuditFields } from './hashed-fields.js';

/**
 * `hash = hex(SHA-256(prev_hash ‖ canonicalJson(fields)))`, where `prev_hash` is the previous
 * event's hash as 64 lowercase hex characters and `‖` is plain string concatenation (UTF-8).
 *
 * @example
 * ```ts
 * const hash = chainHash(GENESIS_HASH, fields); // 64 hex characters
 * ```
 */
export function chainHash(prevHash: string, fields: HashedAuditFields): string {
  return chainHashOf(prevHash, serializeEvent(fields).canonical);
}

/** `chainHash` from the fields' canonical JSON, already written (see `serializeEvent`). */
export function chainHashOf(prevHash: string, canonicalFields: string): string {
  // One-shot hashing: no Hash object per event (every audited request hashes here).
  return hash('sha256', prevHash + canonicalFields, 'hex');
}

/**
 * Whether `hash` is the chain hash of `fields` after `prevHash`. An event whose `details` hold an
 * array-index key (`"0"`, `"42"`) may have been stored by a release that placed such keys first,
 * in numeric order, as JavaScript enumerates them, rather than in JCS's code-unit order; its hash
 * is accepted in that form too. Both forms serialise the same JSON value, so accepting either
 * lets no changed event through.
 *
 * @example
 * ```ts
 * if (!chainHashVerifies(event.prevHash, fields, event.hash)) report('hash_mismatch');
 * ```
 */
export function chainHashVerifies(prevHash: string, fields: HashedAuditFields, hash: string): boolean {
  if (chainHash(prevHash, fields) === hash) return true;
  return hasArrayIndexKey(fields) && chainHashOf(prevHash, legacyCanonicalJson(fields)) === hash;
}
