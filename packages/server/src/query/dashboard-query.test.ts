import { describe, expect, it } from 'vitest';
import { loadModel } from '@perch/engine';
import type { EmbedTokenClaims } from '@perch/protocol';
import { isDashboardForm, resolveDashboardQuery } from './dashboard-query.js';

const model = await loadModel(new URL('../../../../model/', import.meta.url).pathname);
const claims = (dashboards: string[] | '*'): EmbedTokenClaims => ({
  iss: 'perch', aud: 'default', sub: 'v', jti: 'j', iat: 0, nbf: 0, exp: 0, env: 'test', kid_api: 'k',
  user: { distinctId: 'v', role: 'viewer', attributes: { customerId: 'acme', department: 'sales' } },
  scope: { dashboards, assistant: false },
});

describe('resolveDashboardQuery', () => {
  it('takes the chart query from the model and adds picker values and the default date range', () => {
    const { query } = resolveDashboardQuery(model, claims(['sales']), { dashboard: 'sales', chart: 'revenue_by_month', filters: { values: { region: ['EMEA'], channel: [] } } });
    expect(query).toMatchObject({
      dataset: 'orders',
      measures: ['revenue'],
      timeDimension: { member: 'ordered_at', granularity: 'month', dateRange: 'last 12 months' },
      filters: [{ member: 'region', operator: 'in', values: ['EMEA'] }],
    });
  });

  it('adds a date-only time dimension to a chart without one, and null clears the default', () => {
    expect(resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { dateRange: 'last 7 days' } }).query.timeDimension).toEqual({ member: 'ordered_at', dateRange: 'last 7 days' });
    expect(resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { dateRange: null } }).query.timeDimension).toBeUndefined();
  });

  it('never mutates the model', () => {
    resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { values: { region: ['EMEA'] } } });
    expect(model.dashboards.get('sales')!.charts.find((c) => c.id === 'revenue_kpi')!.query.filters).toEqual([]);
  });

  it.each([
    [claims([]), { dashboard: 'sales', chart: 'revenue_kpi' }, 'resource_forbidden'],
    [claims('*'), { dashboard: 'nope', chart: 'revenue_kpi' }, 'resource_forbidden'],
    [claims('*'), { dashboard: 'sales', chart: 'nope' }, 'not_found'],
    [claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', measures: ['margin'] }, 'unknown_field'],
    [claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { values: { status: ['x'] } } }, 'unknown_member'],
  ])('refuses %#: %j → %s', (c, body, code) => {
    expect(() => resolveDashboardQuery(model, c, body)).toThrow(expect.objectContaining({ code }));
  });

  describe('cross-filters', () => {
    const sales = model.dashboards.get('sales')!;
    // The sales dashboard plus a chart on the product catalogue, which has no region and no order date.
    const mixed = { datasets: model.datasets, dashboards: new Map([['sales', { ...sales, charts: [...sales.charts, { id: 'catalogue', type: 'bar' as const, query: { dataset: 'products', measures: ['count'], dimensions: ['category'], filters: [], order: [] } }] }]]) };

    it('filters every other chart by the clicked value, but not the chart it was clicked in', () => {
      const cross = [{ member: 'region', value: 'EMEA', chart: 'revenue_by_region' }];
      const other = resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { cross } });
      expect(other.query.filters).toEqual([{ member: 'region', operator: 'equals', values: ['EMEA'] }]);
      expect(other.unapplied).toEqual([]);
      expect(resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_by_region', filters: { cross } }).query.filters).toEqual([]);
    });

    it('turns a time bucket into its half-open range', () => {
      const cross = [{ member: 'ordered_at', value: '2026-02-01', granularity: 'month', chart: 'revenue_by_month' }];
      expect(resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'top_products', filters: { cross } }).query.filters).toEqual([
        { member: 'ordered_at', operator: 'gte', values: ['2026-02-01'] },
        { member: 'ordered_at', operator: 'lt', values: ['2026-03-01'] },
      ]);
    });

    it('reports the members a chart cannot express instead of applying them', () => {
      const cross = [{ member: 'region', value: 'EMEA' }, { member: 'product.name', value: 'Eco Adapter 174' }];
      const { query, unapplied } = resolveDashboardQuery(mixed, claims('*'), { dashboard: 'sales', chart: 'catalogue', filters: { cross } });
      expect(unapplied).toEqual(['region', 'product.name']);
      expect(query.filters).toEqual([]);
    });

    it.each([
      [{ member: 'customer_id', value: 'globex' }, 'unknown_member', 'filters.cross[0].member'],
      [{ member: 'status', value: 'completed' }, 'unknown_member', 'filters.cross[0].member'],
      [{ member: 'ordered_at', value: 'May 2026', granularity: 'month' }, 'invalid_filter_value', 'filters.cross[0].value'],
      [{ member: 'region', value: 'EMEA', sql: '1=1' }, 'unknown_field', undefined],
    ])('refuses the cross-filter %j with %s', (filter, code, path) => {
      expect(() => resolveDashboardQuery(model, claims('*'), { dashboard: 'sales', chart: 'revenue_kpi', filters: { cross: [filter] } })).toThrow(
        expect.objectContaining({ code, ...(path ? { path } : {}) }),
      );
    });
  });

  it('recognises the dashboard form by its key', () => {
    expect(isDashboardForm({ dashboard: 'sales' })).toBe(true);
    expect(isDashboardForm({ dataset: 'orders' })).toBe(false);
    expect(isDashboardForm(null)).toBe(false);
  });
});
