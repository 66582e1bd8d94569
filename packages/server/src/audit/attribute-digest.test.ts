import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DIGEST_PREFIX, digestAttributes, newAuditSalt } from './attribute-digest.js';

describe('digestAttributes', () => {
  it('gives the same digest for the same value and salt, and never contains the value', () => {
    const salt = newAuditSalt();
    const a = digestAttributes(salt, { tenant: 'CANARY-acme', region: ['EU', 'US'] });
    const b = digestAttributes(salt, { tenant: 'CANARY-acme', region: ['EU', 'US'] });
    expect(a).toEqual(b);
    expect(String(a.tenant).startsWith(DIGEST_PREFIX)).toBe(true);
    expect(JSON.stringify(a)).not.toContain('CANARY');
  });

  it('separates values, types and salts', () => {
    const salt = newAuditSalt();
    const { a, b, c } = digestAttributes(salt, { a: '1', b: 1, c: '2' });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(digestAttributes(newAuditSalt(), { a: '1' }).a).not.toBe(a);
  });

  it('equals an independent HMAC-SHA-256 of the canonical value, also when answered from the recent-digest cache', () => {
    const salts = [newAuditSalt(), newAuditSalt()];
    for (let round = 0; round < 3; round += 1) {
      for (const salt of salts) {
        const expected = DIGEST_PREFIX + createHmac('sha256', Buffer.from(salt, 'hex')).update('{"a":1,"b":"x"}').digest('hex');
        expect(digestAttributes(salt, { v: { b: 'x', a: 1 } }).v).toBe(expected);
      }
    }
  });
});
