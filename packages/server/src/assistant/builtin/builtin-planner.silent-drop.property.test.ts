/**
 * The planner's rule as a property: a word it does not know, or a concept the data cannot express,
 * added anywhere to an answerable question never yields a query that silently ignores it. The
 * result is a clarification that names the word back, or (for what reads as another
 * organisation's name) an answer that says first that only the user's own organisation is visible.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BuiltinPlanner } from './builtin-planner.js';
import type { PlanResult } from '../planner.js';
import { NOW, demoCatalog, visibleValueLookup } from '../../../test/assistant/planner-fixtures.js';

const ANSWERABLE = [
  'revenue by region last quarter',
  'top 5 products by revenue this year',
  'orders by month',
  'refunded orders last month',
  'revenue in EMEA',
  'units by category',
  'average order value by channel',
  'how many customers',
  'which region had the most orders',
  'revenue excluding refunded',
  'web vs store revenue',
  'how much did we make last month',
];

/** Concepts the demo model has no member for, and words that are no word at all. */
const UNSUPPORTED = ['forecast', 'churn', 'median', 'net', 'budget', 'warehouse', 'salesperson', 'zodiac', 'coupon', 'weekday', 'lifetime', 'inventory', 'headcount', 'profit', 'refund rate', 'manager'];
// "zq…" starts no member name, so a misspelling match cannot explain the word away.
const NONSENSE = fc.stringMatching(/^zq[aeiou][bcdfghjklmnprstvwx][aeiou]?[a-z]{0,4}$/);

function mentions(result: PlanResult, word: string): boolean {
  if (result.kind === 'clarify') return result.question.toLowerCase().includes(word.split(' ')[0]!.toLowerCase());
  return (result.notes ?? []).some((note) => note.startsWith('You can only see data for '));
}

describe('built-in planner: no silent drops', () => {
  it('never runs a query that ignores an unknown or unsupported word added to an answerable question', async () => {
    const planner = new BuiltinPlanner();
    const catalog = await demoCatalog();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ANSWERABLE), fc.oneof(NONSENSE, fc.constantFrom(...UNSUPPORTED)), fc.nat(), async (base, word, at) => {
        const parts = base.split(' ');
        const position = at % (parts.length + 1);
        const question = [...parts.slice(0, position), word, ...parts.slice(position)].join(' ');
        const result = await planner.plan({ question, catalog, lookupValues: visibleValueLookup().lookupValues, now: NOW });
        if (!mentions(result, word)) throw new Error(`"${question}" silently dropped "${word}": ${JSON.stringify(result)}`);
        expect(mentions(result, word)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('answers every base question on its own (so the property above is about the added word)', async () => {
    const planner = new BuiltinPlanner();
    const catalog = await demoCatalog();
    for (const question of ANSWERABLE) {
      const result = await planner.plan({ question, catalog, lookupValues: visibleValueLookup().lookupValues, now: NOW });
      expect(result.kind, question).toBe('query');
      expect(result.kind === 'query' && (result.notes ?? []).some((n) => n.startsWith('You can only'))).toBe(false);
    }
  });
});
