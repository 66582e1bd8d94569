import { describe, expect, it } from 'vitest';
import { randomBase62, randomId } from './secrets.js';

describe('randomId', () => {
  it('is the prefix, an underscore and exactly `length` base62 characters', () => {
    for (const length of [1, 16, 20, 24, 100]) {
      expect(randomId('req', length)).toMatch(new RegExp(`^req_[0-9A-Za-z]{${length}}$`));
    }
    expect(randomId('key')).toMatch(/^key_[0-9A-Za-z]{16}$/);
  });

  it('does not repeat across many ids (the entropy pool is refilled, never reused)', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => randomId('req', 20)));
    expect(ids.size).toBe(20_000);
  });

  it('uses every base62 character about equally often (no modulo bias to speak of)', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 4_000; i++) for (const ch of randomId('x', 31).slice(2)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect(counts.size).toBe(62);
    // 124,000 characters: 2,000 expected per character; a biased mapping would skew some by ~25%.
    for (const count of counts.values()) expect(Math.abs(count - 2_000)).toBeLessThan(300);
  });
});

describe('randomBase62', () => {
  it('returns exactly `length` base62 characters', () => {
    expect(randomBase62(43)).toMatch(/^[0-9A-Za-z]{43}$/);
  });
});
