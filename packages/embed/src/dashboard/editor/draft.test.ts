import { describe, expect, it } from 'vitest';
import type { DashboardView } from '@perch/protocol';
import { definitionFromView, nextChartId, sameDefinition, slugId } from './draft.js';

describe('the editor draft', () => {
  it('derives identifiers from titles, unique among the taken ones', () => {
    expect(slugId('Q3 revenue!', new Set())).toBe('q3_revenue');
    expect(slugId('Sales overview', new Set(['sales_overview', 'sales_overview_2']))).toBe('sales_overview_3');
    expect(slugId('2024 plan', new Set())).toBe('d_2024_plan');
    expect(slugId('Übersicht Café', new Set())).toBe('ubersicht_cafe');
    expect(slugId('!!!', new Set())).toBe('dashboard');
    expect(slugId('x'.repeat(300), new Set())).toHaveLength(60);
  });

  it('rebuilds the stored form from a view: hidden charts and their cells left out', () => {
    const view: DashboardView = {
      id: 'd',
      title: 'D',
      layout: { columns: 12, items: [{ chart: 'a', x: 0, y: 0, w: 6, h: 2 }, { chart: 'secret', x: 6, y: 0, w: 6, h: 2 }] },
      charts: [
        { id: 'a', type: 'kpi', title: 'A', permitted: true, query: { dataset: 'orders', measures: ['revenue'] }, members: { revenue: { title: 'Revenue' } } },
        { id: 'secret', type: 'kpi', title: 'S', permitted: false, query: { dataset: 'orders' } },
      ],
      filters: { dateRange: { member: 'ordered_at', default: 'last 12 months' }, pickers: [{ member: 'region', title: 'Region' }] },
      canExport: true,
    };
    const definition = definitionFromView(view);
    expect(definition).toEqual({
      id: 'd',
      title: 'D',
      charts: [{ id: 'a', type: 'kpi', title: 'A', query: { dataset: 'orders', measures: ['revenue'] } }],
      layout: [{ chart: 'a', x: 0, y: 0, w: 6, h: 2 }],
      filters: { dateRange: { member: 'ordered_at', default: 'last 12 months' }, pickers: [{ member: 'region', title: 'Region' }] },
    });
    expect(nextChartId(definition)).toBe('tile_2');
    expect(sameDefinition(definition, structuredClone(definition))).toBe(true);
    expect(sameDefinition(definition, { ...definition, title: 'E' })).toBe(false);
  });
});
