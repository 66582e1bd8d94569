import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainHash, GENESIS_HASH, type HashedAuditFields } from './chain-hash.js';

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

describe('chainHash', () => {
  it('is SHA-256 of the previous hash and the canonical JSON, as documented', () => {
    const event = fields({ dataset: 'orders', 10: 'ten', 9: 'nine' });
    const canonical =
      '{"action":"query.run","apiKeyId":null,"attributes":null,"code":null,"details":{"10":"ten","9":"nine","dataset":"orders"},' +
      '"distinctId":"user-1","env":"live","ip":null,"origin":null,"outcome":"success","requestId":"req-1","resource":"orders",' +
      '"role":"viewer","segment":0,"seq":1,"time":"2026-01-01T00:00:00.000Z","userAgent":null,"workspace":"w"}';
    expect(chainHash(GENESIS_HASH, event)).toBe(createHash('sha256').update(GENESIS_HASH + canonical, 'utf8').digest('hex'));
  });

  it('changes with any field and with the previous hash', () => {
    const event = fields({ dataset: 'orders' });
    const hash = chainHash(GENESIS_HASH, event);
    expect(chainHash(GENESIS_HASH, { ...event, resource: 'payroll' })).not.toBe(hash);
    expect(chainHash('f'.repeat(64), event)).not.toBe(hash);
  });
});
