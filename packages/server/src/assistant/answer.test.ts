import { describe, expect, it } from 'vitest';
import { SemanticQuerySchema, type QueryResult } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import { plural, resultFacts, substituteFacts } from './answer.js';

const catalog: Catalog = {
  datasets: [
    {
      name: 'orders',
      title: 'Orders',
      members: [
        { name: 'revenue', kind: 'measure', type: 'number', title: 'Revenue', synonyms: [], format: 'currency' },
        { name: 'orders', kind: 'measure', type: 'number', title: 'Orders', synonyms: [], format: 'integer' },
        { name: 'average_order_value', kind: 'measure', type: 'number', title: 'Average order value', synonyms: [], format: 'currency' },
        { name: 'region', kind: 'dimension', type: 'string', title: 'Region', synonyms: [] },
        { name: 'product.name', kind: 'dimension', type: 'string', title: 'Product Product', synonyms: [] },
        { name: 'ordered_at', kind: 'dimension', type: 'time', title: 'Order date', synonyms: [] },
      ],
    },
  ],
} as Catalog;
const additive = (m: string) => m !== 'average_order_value';

function result(columns: QueryResult['columns'], rows: QueryResult['rows'], totals?: Record<string, number>): QueryResult {
  return { columns, rows, meta: { rowCount: rows.length, durationMs: 1, cacheHit: false, requestId: 'r', ...(totals ? { totals } : {}) } };
}
const byRegion = (measure: string) => [{ name: 'region', type: 'string', kind: 'dimension' as const }, { name: measure, type: 'number', kind: 'measure' as const }];

describe('answers', () => {
  const query = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['revenue'], dimensions: ['region'], order: [{ member: 'revenue', direction: 'desc' }] });

  it('states the leader, the runners-up and the total as a sentence, in the tiles’ currency format', () => {
    const facts = resultFacts(query, result(byRegion('revenue'), [{ region: 'EMEA', revenue: 1234.5 }, { region: 'APAC', revenue: 10 }], { revenue: 1244.5 }), catalog, 'Revenue by Region', { additive, rangeLabel: 'last quarter' });
    expect(facts.template).toBe('EMEA had the highest revenue last quarter, $1,235, followed by APAC ($10). Across 2 regions, revenue came to $1,245.');
    expect(facts.values.get('total')).toBe('$1,245');
    // Labels offered to a model name members only, never values.
    expect(facts.facts.map((f) => f.label).join(' ')).not.toContain('EMEA');
  });

  it('never says "of a total" or "came to" for an average, and uses the singular for one row', () => {
    const aov = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['average_order_value'], dimensions: ['region'], order: [{ member: 'average_order_value', direction: 'desc' }] });
    const text = resultFacts(aov, result(byRegion('average_order_value'), [{ region: 'EMEA', average_order_value: 412.2 }], { average_order_value: 412.2 }), catalog, 'x', { additive }).template;
    expect(text).toBe('EMEA had the highest average order value, $412. Overall, average order value was $412.');
    expect(text).not.toMatch(/total|1 rows|came to/);
    expect(plural(1, 'region')).toBe('1 region');
    expect(plural(3, 'category')).toBe('3 categories');
  });

  it('writes time buckets as the tiles do, never as ISO timestamps, and names a joined member once', () => {
    const monthly = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['orders'], timeDimension: { member: 'ordered_at', granularity: 'month', dateRange: 'last quarter' } });
    const rows = [{ ordered_at: '2026-07-01T00:00:00.000Z', orders: 12 }, { ordered_at: '2026-08-01T00:00:00.000Z', orders: 30 }, { ordered_at: '2026-09-01T00:00:00.000Z', orders: 7 }];
    const text = resultFacts(monthly, result([{ name: 'ordered_at', type: 'time', kind: 'time' }, { name: 'orders', type: 'number', kind: 'measure' }], rows, { orders: 49 }), catalog, 'x', { additive }).template;
    expect(text).toBe('Orders by month last quarter: 12 in Jul 2026, 30 in Aug 2026 and 7 in Sep 2026. Across 3 months, orders came to 49.');
    expect(text).not.toMatch(/\d{4}-\d\d-\d\dT/);
    const products = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['revenue'], dimensions: ['product.name'], order: [{ member: 'revenue', direction: 'desc' }] });
    const p = resultFacts(products, result([{ name: 'product.name', type: 'string', kind: 'dimension' }, { name: 'revenue', type: 'number', kind: 'measure' }], [{ 'product.name': 'Laptop', revenue: 5 }, { 'product.name': 'Router', revenue: 4 }], { revenue: 9 }), catalog, 'x', { additive }).template;
    expect(p).toContain('Across 2 products');
    expect(p).not.toMatch(/Product Product/i);
  });

  it('sets a share against its denominator', () => {
    const text = resultFacts(query, result(byRegion('revenue'), [{ region: 'EMEA', revenue: 300 }, { region: 'APAC', revenue: 100 }], { revenue: 400 }), catalog, 'x', { additive, share: { member: 'region', values: ['EMEA'] } }).template;
    expect(text).toBe('EMEA accounted for 75% of revenue: $300 of $400.');
  });

  it('says so when nothing matched', () => {
    expect(resultFacts(query, result(byRegion('revenue'), []), catalog, 'Revenue by Region').template).toBe('There is no data for revenue by Region.');
  });

  it('substitutes known placeholders and voids a wording with unknown ones', () => {
    const values = new Map([['total', '1,244.5']]);
    expect(substituteFacts('Total: {{ total }}.', values)).toBe('Total: 1,244.5.');
    expect(substituteFacts('Total: {{secret}}.', values)).toBeUndefined();
  });

  it('compares two periods instead of adding them up', () => {
    const yoy = SemanticQuerySchema.parse({ dataset: 'orders', measures: ['revenue'], timeDimension: { member: 'ordered_at', granularity: 'year', dateRange: ['2025-01-01T00:00', '2026-10-31T12:00'] } });
    const rows = [{ ordered_at: '2025-01-01T00:00:00.000Z', revenue: 200 }, { ordered_at: '2026-01-01T00:00:00.000Z', revenue: 250 }];
    const text = resultFacts(yoy, result([{ name: 'ordered_at', type: 'time', kind: 'time' }, { name: 'revenue', type: 'number', kind: 'measure' }], rows, { revenue: 450 }), catalog, 'x', { additive, comparison: true, rangeLabel: 'this year compared with the same period a year earlier' }).template;
    expect(text).toBe('Revenue was $200 in 2025 and $250 in 2026, up 25% (this year compared with the same period a year earlier).');
    expect(text).not.toContain('$450');
  });
});
