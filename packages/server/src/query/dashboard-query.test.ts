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

  it('recognises the dashboard form by its key', () => {
    expect(isDashboardForm({ dashboard: 'sales' })).toBe(true);
    expect(isDashboardForm({ dataset: 'orders' })).toBe(false);
    expect(isDashboardForm(null)).toBe(false);
  });
});
