import { describe, expect, it } from 'vitest';
import { SemanticQuerySchema, type QueryResult } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import { resultFacts, substituteFacts } from './answer.js';

const catalog: Catalog = { datasets: [{ name: 'orders', title: 'Orders', members: [{ name: 'revenue', kind: 'measure', type: 'number', title: 'Revenue', synonyms: [] }, { name: 'region', kind: 'dimension', type: 'string', title: 'Region', synonyms: [] }] }] };

function result(rows: QueryResult['rows'], totals?: Record<string, number>): QueryResult {
  return {
    columns: [{ name: 'region', type: 'string', kind: 'dimension' }, { name: 'revenue', type: 'number', kind: 'measure' }],
    rows,
    meta: { rowCount: rows.length, durationMs: 1, cacheHit: false, requestId: 'r', ...(totals ? { totals } : {}) },
  };
}

describe('answers', () => {
  const query = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['revenue'], dimensions: ['region'], order: [{ member: 'revenue', direction: 'desc' }] });

  it('states the leader and the total from the result, formatted by the server', () => {
    const facts = resultFacts(query, result([{ region: 'EMEA', revenue: 1234.5 }, { region: 'APAC', revenue: 10 }], { revenue: 1244.5 }), catalog, 'Revenue by Region');
    expect(facts.template).toBe('Revenue by Region: EMEA has the highest Revenue, 1,234.5, of a total of 1,244.5 across 2 rows.');
    expect(facts.values.get('total')).toBe('1,244.5');
    // Labels offered to a model name members only, never values.
    expect(facts.facts.map((f) => f.label).join(' ')).not.toContain('EMEA');
  });

  it('says so when nothing matched', () => {
    expect(resultFacts(query, result([]), catalog, 'Revenue by Region').template).toBe('Revenue by Region: no matching rows.');
  });

  it('substitutes known placeholders and voids a wording with unknown ones', () => {
    const values = new Map([['total', '1,244.5']]);
    expect(substituteFacts('Total: {{ total }}.', values)).toBe('Total: 1,244.5.');
    expect(substituteFacts('Total: {{secret}}.', values)).toBeUndefined();
  });
});
