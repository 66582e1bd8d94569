/**
 * Built-in planner accuracy over the demo model (table in test/assistant/accuracy-table.ts): each
 * question with the exact semantic query it must produce, a clarification (naming a word back when
 * the row says so), or an answer with a required note. Follow-up rows plan their whole chain.
 * Prints accuracy per class and fails below 97% overall.
 */
import { describe, expect, it } from 'vitest';
import { SemanticQuerySchema, type SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import { BuiltinPlanner } from './builtin-planner.js';
import type { PlannerTurn, PlanResult } from '../planner.js';
import { EXPLORER, MAKER, NOW, demoCatalog, visibleValueLookup } from '../../../test/assistant/planner-fixtures.js';
import { ACCURACY_TABLE, type AccuracyRow, type Expected } from '../../../test/assistant/accuracy-table.js';

function sameQuery(got: SemanticQuery, expected: unknown): boolean {
  return JSON.stringify(sortKeys(got)) === JSON.stringify(sortKeys(SemanticQuerySchema.parse(expected)));
}

function matches(result: PlanResult, expected: Expected): boolean {
  if (expected === 'clarify') return result.kind === 'clarify';
  if ('clarify' in expected) return result.kind === 'clarify' && expected.clarify.test(result.question);
  if (result.kind !== 'query') return false;
  if ('note' in expected) return sameQuery(result.query, expected.query) && (result.notes ?? []).some((n) => expected.note.test(n));
  if ('share' in expected) return sameQuery(result.query, expected.query) && JSON.stringify(result.share) === JSON.stringify(expected.share);
  return sameQuery(result.query, expected) && result.share === undefined;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortKeys(v)]));
  return value;
}

/** Plans the row's chain in order, as the conversation would, then the row's question. */
async function planRow(planner: BuiltinPlanner, row: AccuracyRow, catalog: Catalog): Promise<PlanResult> {
  const history: PlannerTurn[] = [];
  for (const question of row.chain ?? []) {
    const earlier = await planner.plan({ question, catalog, lookupValues: visibleValueLookup().lookupValues, now: NOW, history });
    history.push({ question, ...(earlier.kind === 'query' ? { query: earlier.query } : {}) });
  }
  return planner.plan({ question: row.question, catalog, lookupValues: visibleValueLookup().lookupValues, now: NOW, history });
}

describe('built-in planner accuracy', () => {
  it(`answers at least 97% of ${ACCURACY_TABLE.length} questions exactly as expected, reported per class`, async () => {
    const planner = new BuiltinPlanner();
    const catalogs: Record<string, Catalog> = { explorer: await demoCatalog(EXPLORER), maker: await demoCatalog(MAKER) };
    const failures: string[] = [];
    const perClass = new Map<string, { total: number; right: number }>();
    for (const row of ACCURACY_TABLE) {
      const result = await planRow(planner, row, catalogs[row.role ?? 'explorer']!);
      const ok = matches(result, row.expected);
      const tally = perClass.get(row.cls) ?? { total: 0, right: 0 };
      tally.total++;
      if (ok) tally.right++;
      perClass.set(row.cls, tally);
      if (!ok) failures.push(`[${row.cls}] ${row.chain ? `${row.chain.join(' → ')} → ` : ''}${row.question}\n    got ${JSON.stringify(result)}`);
    }
    const right = ACCURACY_TABLE.length - failures.length;
    const accuracy = right / ACCURACY_TABLE.length;
    const classes = [...perClass.entries()].map(([cls, t]) => `  ${cls.padEnd(26)} ${((t.right / t.total) * 100).toFixed(1).padStart(5)}% (${t.right}/${t.total})`);
    console.info(`built-in planner accuracy: ${(accuracy * 100).toFixed(1)}% (${right}/${ACCURACY_TABLE.length})\n${classes.join('\n')}${failures.length ? `\n  misses:\n  ${failures.join('\n  ')}` : ''}`);
    expect(ACCURACY_TABLE.length).toBeGreaterThanOrEqual(300);
    expect(accuracy).toBeGreaterThanOrEqual(0.97);
  });
});
