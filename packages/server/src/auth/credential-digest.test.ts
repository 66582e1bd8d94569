import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { credentialDigest, embedAuthorizationDigest } from './credential-digest.js';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

describe('credential digests', () => {
  it('are SHA-256 in base64url', () => {
    expect(credentialDigest('Bearer abc')).toBe(reference('Bearer abc'));
    expect(credentialDigest('Bearer abc')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('a remembered digest is always the one computed, through eviction and repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 600 }), (headers) => {
        for (const header of headers) expect(embedAuthorizationDigest(header)).toBe(reference(header));
        // Again in reverse: some are still remembered, the oldest were evicted.
        for (const header of headers.reverse()) expect(embedAuthorizationDigest(header)).toBe(reference(header));
      }),
      { numRuns: 50 },
    );
  });

  it('distinguishes headers that differ in one character', () => {
    expect(embedAuthorizationDigest('Bearer token-a')).not.toBe(embedAuthorizationDigest('Bearer token-b'));
    expect(embedAuthorizationDigest('Bearer token-a')).toBe(credentialDigest('Bearer token-a'));
  });
});
