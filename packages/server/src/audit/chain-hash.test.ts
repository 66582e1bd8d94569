import { describe, expect, it } from 'vitest';
import { chainHash, chainHashOf, chainHashVerifies, GENESIS_HASH, type HashedAuditFields } from './chain-hash.js';
import { legacyCanonicalJson } from './canonical-json.js';

const fields = (details: HashedAuditFields['details']): HashedAuditFields => ({
  workspace: 'w',
  seq: 1,
  segment: 0,
  time: '2026-01-01T00:00:00.000Z',
  action: 'query.run',
  outcome: 'success',
  resource: 'orders',
  code: null,
  distinctId: 'user-1',
  role: 'viewer',
  env: 'live',
  apiKeyId: null,
  origin: null,
  ip: null,
  userAgent: null,
  requestId: 'req-1',
  details,
  attributes: null,
});

describe('chainHashVerifies', () => {
  it('accepts the hash Perch writes and refuses any other', () => {
    const event = fields({ dataset: 'orders', 10: 'ten', 9: 'nine' });
    const hash = chainHash(GENESIS_HASH, event);
    expect(chainHashVerifies(GENESIS_HASH, event, hash)).toBe(true);
    expect(chainHashVerifies(GENESIS_HASH, { ...event, resource: 'payroll' }, hash)).toBe(false);
    expect(chainHashVerifies('f'.repeat(64), event, hash)).toBe(false);
  });

  it('accepts an event stored with array-index keys in JavaScript order, and nothing changed under it', () => {
    const event = fields({ dataset: 'orders', 10: 'ten', 9: 'nine' });
    const legacy = chainHashOf(GENESIS_HASH, legacyCanonicalJson(event));
    expect(legacy).not.toBe(chainHash(GENESIS_HASH, event));
    expect(chainHashVerifies(GENESIS_HASH, event, legacy)).toBe(true);
    expect(chainHashVerifies(GENESIS_HASH, fields({ dataset: 'orders', 10: 'ten', 9: 'NINE' }), legacy)).toBe(false);
  });

  it('has one form only for events without array-index keys', () => {
    const event = fields({ dataset: 'orders', rowCount: 3 });
    expect(chainHashOf(GENESIS_HASH, legacyCanonicalJson(event))).toBe(chainHash(GENESIS_HASH, event));
  });
});
