/**
 * Properties of the built-in planner over arbitrary text: it never throws, every query it returns
 * passes the same checks as a model's (catalog members, visible values), and every filter value
 * came from the RLS-filtered look-up rather than from the question.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BuiltinPlanner } from './builtin-planner.js';
import { checkPlannedQuery } from '../query-check.js';
import { NOW, demoCatalog, visibleValueLookup } from '../../../test/assistant/planner-fixtures.js';

const VOCABULARY = ['revenue', 'orders', 'by', 'region', 'top', '5', 'last', 'quarter', 'for', 'globex', 'acme', 'web', 'refunded', 'since', 'march', 'vs', 'last year', 'which', 'most', 'channel', 'excluding', "'; drop table orders; --", 'EMEA', 'per', 'month', 'customers', 'product', 'in', '2024', 'sales', 'department', 'finance'];

describe('built-in planner properties', () => {
  it('returns a checked query or a clarification for any question', async () => {
    const planner = new BuiltinPlanner();
    const catalog = await demoCatalog();
    const question = fc.oneof(fc.string({ maxLength: 80 }), fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 10 }).map((w) => w.join(' ')));
    await fc.assert(
      fc.asyncProperty(question, async (text) => {
        const { lookupValues } = visibleValueLookup();
        const result = await planner.plan({ question: text, catalog, lookupValues, now: NOW });
        if (result.kind === 'clarify') {
          expect(result.question.length).toBeGreaterThan(0);
          return;
        }
        const check = await checkPlannedQuery(result.query, catalog, visibleValueLookup().lookupValues);
        expect(check).toMatchObject({ ok: true });
        expect(JSON.stringify(result.query)).not.toMatch(/globex|drop table/i);
      }),
      { numRuns: 300 },
    );
  });
});
