import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '@perch/protocol';
import { canonicalAround } from './append.js';
import type { HashedAuditFields } from './chain-hash.js';

const text = fc.option(fc.string(), { nil: null });
const jsonObject = fc.dictionary(fc.oneof(fc.string(), fc.nat({ max: 20 }).map(String)), fc.jsonValue({ maxDepth: 2 }));

describe('canonicalAround', () => {
  it('leaves exactly the place of segment, seq and time: the pieces around it rebuild canonicalJson(fields)', () => {
    fc.assert(
      fc.property(
        fc.record({ workspace: fc.string(), action: fc.string(), outcome: fc.string(), requestId: fc.string(), resource: text, code: text, distinctId: text, role: text, env: text, apiKeyId: text, origin: text, ip: text, userAgent: text }),
        jsonObject,
        fc.option(jsonObject, { nil: null }),
        fc.nat(),
        fc.nat(),
        fc.date({ min: new Date(0), max: new Date(Date.UTC(9999, 0)), noInvalidDate: true }),
        (body, details, attributes, seq, segment, date) => {
          const time = date.toISOString();
          const fields: HashedAuditFields = { ...body, details: JSON.parse(JSON.stringify(details)), attributes: attributes && JSON.parse(JSON.stringify(attributes)), seq, segment, time };
          const { seq: _seq, segment: _segment, time: _time, ...unlocked } = fields;
          const { before, after } = canonicalAround(unlocked);
          // What the store function puts between the pieces (migration 0009-audit-append-locked).
          expect(`${before}"segment":${segment},"seq":${seq},"time":"${time}",${after}`).toBe(canonicalJson(fields));
        },
      ),
      { numRuns: 500 },
    );
  });
});
