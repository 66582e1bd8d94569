import { describe, expect, it } from 'vitest';
import { suggestedQuestions } from './suggestions.js';
import type { CatalogResponse } from './assistant-types.js';

const catalog: CatalogResponse = {
  datasets: [
    {
      name: 'orders',
      title: 'Orders',
      members: [
        { name: 'revenue', kind: 'measure', type: 'number', title: 'Revenue' },
        { name: 'orders', kind: 'measure', type: 'number', title: 'Orders' },
        { name: 'region', kind: 'dimension', type: 'string', title: 'Region' },
        { name: 'channel', kind: 'dimension', type: 'string', title: 'Sales channel' },
        { name: 'ordered_at', kind: 'dimension', type: 'time', title: 'Order date' },
      ],
    },
  ],
};

describe('suggested questions', () => {
  it("start with the charts of the dashboard in scope, then the user's catalog, without repeats", () => {
    expect(suggestedQuestions(catalog, ['Revenue by region last quarter', 'Top products'])).toEqual(['Revenue by region last quarter', 'Top products', 'Orders by month this year', 'Which sales channel brought in the most revenue?']);
  });

  it('come from the catalog alone when no dashboard is in scope', () => {
    expect(suggestedQuestions(catalog)).toEqual(['Revenue by region last quarter', 'Orders by month this year', 'Which sales channel brought in the most revenue?', 'Revenue this year vs last year']);
  });

  it('leave out a catalog question that only extends a chart title', () => {
    expect(suggestedQuestions(catalog, ['Revenue by region', 'Orders by month'])).toEqual(['Revenue by region', 'Orders by month', 'Which sales channel brought in the most revenue?', 'Revenue this year vs last year']);
  });

  it('are empty for an empty catalog', () => {
    expect(suggestedQuestions({ datasets: [] })).toEqual([]);
  });
});
