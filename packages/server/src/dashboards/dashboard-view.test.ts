import { describe, expect, it } from 'vitest';
import { parseDashboard, parseModel } from '@perch/engine';
import type { EmbedTokenClaims, Role } from '@perch/protocol';
import { presentDashboard } from './dashboard-view.js';

const MODEL = parseModel([
  {
    file: 'test.yaml',
    text: `
datasets:
  sales:
    source: { table: sales }
    dimensions:
      region: { column: region, type: string, title: Region }
      cost_centre: { column: cost_centre, type: string, title: Cost centre }
      sold_at: { column: sold_at, type: time }
    measures:
      revenue: { sum: amount, format: currency }
      units: { sum: quantity, format: integer }
      margin: { sum: margin, format: currency }
    members:
      margin: { roles: [maker, admin] }
      cost_centre: { roles: [admin] }
    rowLevelSecurity: { column: tenant, equals: { attribute: tenant } }
`,
  },
]);

function claims(role: Role): EmbedTokenClaims {
  return {
    iss: 'perch', aud: 'default', sub: 'u', jti: 'j', iat: 0, nbf: 0, exp: 1, env: 'test', kid_api: 'k',
    user: { distinctId: 'u', role, attributes: { tenant: 't1' } },
    scope: { dashboards: '*', assistant: false },
  };
}

const DASHBOARD = parseDashboard(MODEL, {
  id: 'board',
  title: 'Board',
  charts: [
    { id: 'revenue', type: 'kpi', query: { dataset: 'sales', measures: ['revenue'] } },
    { id: 'mixed', type: 'table', title: 'Mixed', query: { dataset: 'sales', measures: ['revenue', 'units'], dimensions: ['region'] } },
    { id: 'secret', type: 'kpi', title: 'Secret', query: { dataset: 'sales', measures: ['margin'], filters: [{ member: 'region', operator: 'equals', values: ['EMEA'] }] } },
  ],
  filters: { dateRange: { member: 'sold_at', default: 'last 30 days' }, pickers: [{ member: 'region' }, { member: 'cost_centre', title: 'Centre' }] },
  layout: [{ chart: 'revenue', x: 0, y: 0, w: 6, h: 2 }],
});

const options = { model: MODEL, dialect: 'duckdb' as const, engine: { maxLimit: 1000 }, canExport: false };

describe('presentDashboard', () => {
  it('labels each permitted chart\'s members with the model\'s titles and per-member formats, and a hidden chart\'s with nothing', () => {
    const view = presentDashboard(DASHBOARD, claims('viewer'), options);
    expect(view.charts[1]!.members).toEqual({
      revenue: { title: 'Revenue', format: { style: 'currency', currency: 'USD', decimals: 2 } },
      units: { title: 'Units', format: { style: 'number', decimals: 0 } },
      region: { title: 'Region' },
    });
    expect(view.charts[2]!.members).toBeUndefined();
  });

  it('marks charts with hidden members not permitted, strips their queries, and omits hidden pickers', () => {
    const view = presentDashboard(DASHBOARD, claims('viewer'), options);
    expect(view.charts.map((c) => [c.id, c.permitted])).toEqual([['revenue', true], ['mixed', true], ['secret', false]]);
    expect(view.charts[2]!.query).toEqual({ dataset: 'sales' });
    expect(view.filters.pickers).toEqual([{ member: 'region', title: 'Region' }]);
    expect(JSON.stringify(view)).not.toMatch(/margin|cost_centre/);
  });

  it('shows everything to a role that may see it', () => {
    const view = presentDashboard(DASHBOARD, claims('admin'), options);
    expect(view.charts.every((c) => c.permitted)).toBe(true);
    expect(view.charts[2]!.query).toMatchObject({ measures: ['margin'] });
    expect(view.filters.pickers).toEqual([{ member: 'region', title: 'Region' }, { member: 'cost_centre', title: 'Centre' }]);
  });

  it('sends a measure format only when every measure of the chart shares it', () => {
    const view = presentDashboard(DASHBOARD, claims('viewer'), options);
    expect(view.charts[0]!.format).toEqual({ measure: { style: 'currency', currency: 'USD', decimals: 0 } });
    expect(view.charts[1]!.format).toBeUndefined();
    expect(view.charts[0]!.title).toBe('revenue');
  });

  it('fits a layout from outside the 12-column grid into it (perch check refuses one in a model file)', () => {
    const view = presentDashboard({ ...DASHBOARD, layout: [{ chart: 'revenue', x: 20, y: 0, w: 24, h: 2 }] }, claims('viewer'), options);
    expect(view.layout).toEqual({ columns: 12, items: [{ chart: 'revenue', x: 0, y: 0, w: 12, h: 2 }] });
  });

  it('lays out charts two per row when the dashboard declares no layout', () => {
    const bare = parseDashboard(MODEL, { id: 'bare', title: 'Bare', charts: DASHBOARD.charts });
    const view = presentDashboard(bare, claims('viewer'), options);
    expect(view.layout.items).toEqual([
      { chart: 'revenue', x: 0, y: 0, w: 6, h: 2 },
      { chart: 'mixed', x: 6, y: 0, w: 6, h: 4 },
      { chart: 'secret', x: 0, y: 4, w: 6, h: 2 },
    ]);
    expect(view.filters.dateRange).toBeUndefined();
  });
});
