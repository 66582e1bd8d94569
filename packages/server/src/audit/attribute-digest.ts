import { createHmac, randomBytes } from 'node:crypto';
import { canonicalJson, type JsonValue } from '@perch/protocol';

/** Prefix of a digested attribute value, so a reader can tell a digest from a raw value. */
export const DIGEST_PREFIX = 'hmac-sha256:';

/** A fresh per-workspace salt (32 random bytes, hex). */
export function newAuditSalt(): string {
  return randomBytes(32).toString('hex');
}

/**
 * Replace each attribute value by `hmac-sha256:<hex HMAC-SHA-256(salt, canonicalJson(value))>`.
 *
 * Why a keyed digest rather than a plain hash: attribute values (tenant ids, regions, emails)
 * come from small, guessable sets; an unsalted hash could be reversed by hashing every
 * candidate. With the per-workspace salt the digest still lets an auditor group events by the
 * same value ("everything tenant X saw") without the trail holding the value itself.
 *
 * @example
 * ```ts
 * digestAttributes(salt, { region: 'EU' }) // { region: 'hmac-sha256:9f2c…' }
 * ```
 */
export function digestAttributes(salt: string, attributes: Record<string, JsonValue>): Record<string, JsonValue> {
  const digested: Record<string, JsonValue> = {};
  for (const [name, value] of Object.entries(attributes)) digested[name] = digestValue(salt, canonicalJson(value));
  return digested;
}

function digestValue(salt: string, canonicalValue: string): string {
  return DIGEST_PREFIX + createHmac('sha256', Buffer.from(salt, 'hex')).update(canonicalValue).digest('hex');
}
