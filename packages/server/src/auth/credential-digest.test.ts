import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { credentialDigest } from './credential-digest.js';

const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64url');

describe('credential digests', () => {
  it('are SHA-256 in base64url', () => {
    expect(credentialDigest('Bearer abc')).toBe(reference('Bearer abc'));
    expect(credentialDigest('Bearer abc')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('distinguishes headers that differ in one character', () => {
    expect(credentialDigest('Bearer token-a')).not.toBe(credentialDigest('Bearer token-b'));
    expect(credentialDigest('Bearer token-a')).toBe(reference('Bearer token-a'));
  });
});
