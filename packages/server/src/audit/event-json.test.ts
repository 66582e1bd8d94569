import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, type JsonValue } from './canonical-json.js';
import type { HashedAuditFields } from './chain-hash.js';
import { serializeEvent, storedRowJson } from './event-json.js';

const nullableText = fc.option(fc.string({ unit: 'grapheme-composite' }), { nil: null });
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'grapheme-composite' }), fc.constantFrom('"', '\\', '\u2028', '</script>', 'é'));
const jsonObject = fc.dictionary(anyText, fc.jsonValue() as fc.Arbitrary<JsonValue>);

const fields: fc.Arbitrary<HashedAuditFields> = fc.record({
  workspace: anyText,
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  segment: fc.nat(),
  time: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  action: anyText,
  outcome: anyText,
  resource: nullableText,
  code: nullableText,
  distinctId: nullableText,
  role: nullableText,
  env: nullableText,
  apiKeyId: nullableText,
  origin: nullableText,
  ip: nullableText,
  userAgent: nullableText,
  requestId: anyText,
  details: jsonObject,
  attributes: fc.option(jsonObject, { nil: null }),
});

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);

describe('serializeEvent', () => {
  it('writes exactly canonicalJson(fields), whatever the field values', () => {
    fc.assert(
      fc.property(fields, (f) => {
        expect(serializeEvent(f).canonical).toBe(canonicalJson(f));
      }),
      { numRuns: 500 },
    );
  });

  it('writes the stored row with every column and both hashes', () => {
    fc.assert(
      fc.property(fields, hex64, hex64, (f, prevHash, hash) => {
        const row = JSON.parse(storedRowJson(serializeEvent(f), prevHash, hash)) as Record<string, unknown>;
        expect(row).toEqual({
          workspace_id: f.workspace,
          seq: f.seq,
          segment: f.segment,
          time: f.time,
          action: f.action,
          outcome: f.outcome,
          resource: f.resource,
          code: f.code,
          distinct_id: f.distinctId,
          role: f.role,
          env: f.env,
          api_key_id: f.apiKeyId,
          origin: f.origin,
          ip: f.ip,
          user_agent: f.userAgent,
          request_id: f.requestId,
          details: JSON.parse(canonicalJson(f.details)),
          attributes: f.attributes === null ? null : JSON.parse(canonicalJson(f.attributes)),
          prev_hash: prevHash,
          hash,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a member the event type does not allow, instead of hashing a different form', () => {
    const valid: HashedAuditFields = {
      workspace: 'w', seq: 1, segment: 0, time: '2026-01-01T00:00:00.000Z', action: 'query.run', outcome: 'success',
      resource: null, code: null, distinctId: null, role: null, env: null, apiKeyId: null, origin: null, ip: null, userAgent: null,
      requestId: 'r', details: {}, attributes: null,
    };
    expect(() => serializeEvent({ ...valid, role: undefined as unknown as null })).toThrow(TypeError);
    expect(() => serializeEvent({ ...valid, seq: 1.5 })).toThrow(TypeError);
    expect(() => serializeEvent({ ...valid, details: [] as unknown as Record<string, JsonValue> })).toThrow(TypeError);
  });
});
