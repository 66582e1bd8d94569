import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModel } from './parse.js';
import { loadModel } from './load.js';
import { ModelValidationError } from './model-error.js';

const DATASET = (extra: string, rls = 'rowLevelSecurity: none') => `
datasets:
  orders:
    source: { table: orders }
    dimensions: { region: { column: region } }
    measures: { revenue: { sum: amount }, orders: { count: "*" } }
    ${rls}
${extra}`;

function issuesOf(text: string, file = 'm.yaml') {
  try {
    parseModel([{ file, text }]);
  } catch (error) {
    expect(error).toBeInstanceOf(ModelValidationError);
    const e = error as ModelValidationError;
    expect(e.code).toBe('model_invalid');
    return e.issues;
  }
  throw new Error('expected the model to be refused');
}

const CASES: Array<[string, string, string, RegExp]> = [
  ['a dataset without rowLevelSecurity', 'datasets:\n  orders:\n    source: { table: orders }\n', 'datasets.orders.rowLevelSecurity', /./],
  ['an unknown key on a dataset', DATASET('', 'rowLevelSecurity: none\n    rowLevelSecurty: none'), 'datasets.orders.rowLevelSecurty', /unknown key/],
  ['an unknown top-level key', DATASET('extra: 1'), 'extra', /unknown key/],
  ['an unknown key in a policy leaf', DATASET('', 'rowLevelSecurity: { column: customer_id, equalz: { attribute: customerId } }'), 'datasets.orders.rowLevelSecurity.equalz', /unknown key/],
  ['an empty all group', DATASET('', 'rowLevelSecurity: { all: [] }'), 'datasets.orders.rowLevelSecurity.all', /empty group/],
  ['a leaf with two operators', DATASET('', 'rowLevelSecurity: { column: a, equals: { value: 1 }, gt: { value: 2 } }'), 'datasets.orders.rowLevelSecurity', /exactly one operator/],
  ['in with a single literal', DATASET('', 'rowLevelSecurity: { column: a, in: { value: x } }'), 'datasets.orders.rowLevelSecurity.in.value', /list of values/],
  ['a user condition compared with an attribute', DATASET('', 'rowLevelSecurity: { attribute: a, equals: { attribute: b } }'), 'datasets.orders.rowLevelSecurity.equals', /with a \{ value \}/],
  ['a non-identifier column', DATASET('', 'rowLevelSecurity: { column: "a; drop table x", equals: { value: 1 } }'), 'datasets.orders.rowLevelSecurity.column', /identifier/],
  ['a non-identifier dimension column', 'datasets:\n  o:\n    source: { table: o }\n    dimensions: { r: { column: "lower(region)" } }\n    rowLevelSecurity: none\n', 'datasets.o.dimensions.r.column', /identifier/],
  ['an unknown dimension type', 'datasets:\n  o:\n    source: { table: o }\n    dimensions: { r: { column: r, type: date } }\n    rowLevelSecurity: none\n', 'datasets.o.dimensions.r.type', /./],
  ['a measure with two aggregations', 'datasets:\n  o:\n    source: { table: o }\n    measures: { m: { sum: a, avg: a } }\n    rowLevelSecurity: none\n', 'datasets.o.measures.m', /exactly one of/],
  ['an expression calling a function', DATASET('').replace('orders: { count: "*" }', 'orders: { count: "*" }, x: { expression: "pg_sleep(1)" }'), 'datasets.orders.measures.x.expression', /unexpected/],
  ['an expression with an unknown measure', DATASET('').replace('orders: { count: "*" }', 'orders: { count: "*" }, x: { expression: "revenue / nope" }'), 'datasets.orders.measures.x.expression', /"nope" is not a measure/],
  ['circular expressions', DATASET('').replace('orders: { count: "*" }', 'orders: { count: "*" }, a: { expression: "b + 1" }, b: { expression: "a * 2" }'), 'datasets.orders.measures.a.expression', /circular/],
  ['a join to an unknown dataset', DATASET('').replace('measures:', 'joins: { c: { dataset: nope, on: { customer_id: id } } }\n    measures:'), 'datasets.orders.joins.c.dataset', /unknown dataset/],
  ['a member rule for an unknown member', DATASET('').replace('measures:', 'members: { ghost: { roles: [admin] } }\n    measures:'), 'datasets.orders.members.ghost', /not a dimension or measure/],
  ['a member rule with an unknown role', DATASET('').replace('measures:', 'members: { revenue: { roles: [owner] } }\n    measures:'), 'datasets.orders.members.revenue.roles[0]', /./],
  ['a dimension and a measure with one name', DATASET('').replace('orders: { count: "*" }', 'region: { count: "*" }'), 'datasets.orders.measures.region', /already a member/],
  ['a __proto__ member', DATASET('').replace('region: { column: region }', '__proto__: { column: region }'), 'datasets.orders.dimensions.__proto__', /reserved/],
  ['SQL source with two statements', 'datasets:\n  o:\n    source: { sql: "select 1; drop table orders" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /single statement/],
  ['SQL source with DML', 'datasets:\n  o:\n    source: { sql: "with x as (delete from orders returning *) select * from x" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /"delete"/],
  ['SQL source reading a file', 'datasets:\n  o:\n    source: { sql: "select * from read_csv(\'/etc/passwd\')" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /read_csv/],
  ['SQL source calling a file reader by a quoted name', 'datasets:\n  o:\n    source: { sql: "select * from \\"read_text\\"(\'/etc/passwd\')" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /"read_text"/],
  ['SQL source calling set_config by quoted, qualified names', 'datasets:\n  o:\n    source: { sql: "select \\"pg_catalog\\".\\"SET_CONFIG\\" (\'statement_timeout\', \'0\', false)" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /"set_config"/],
  ['SQL source scanning a file by name', 'datasets:\n  o:\n    source: { sql: "select * from \'/etc/passwd.csv\'" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /file scans/],
  ['SQL source with a comment', 'datasets:\n  o:\n    source: { sql: "select 1 -- hidden" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /comments/],
  ['SQL source that is not a query', 'datasets:\n  o:\n    source: { sql: "pragma database_list" }\n    rowLevelSecurity: none\n', 'datasets.o.source.sql', /SELECT or WITH/],
  ['a duplicate YAML key', 'datasets:\n  o:\n    source: { table: o }\n    source: { table: p }\n    rowLevelSecurity: none\n', '', /YAML/],
  ['a dashboard chart with an unknown type', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: donut, query: { dataset: orders, measures: [revenue] } }] }'), 'dashboards[0].charts[0].type', /./],
  ['a dashboard tile past the 12-column grid', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }, { id: e, type: kpi, query: { dataset: orders, measures: [orders] } }], layout: [{ chart: c, x: 0, y: 0, w: 12, h: 1 }, { chart: e, x: 6, y: 1, w: 12, h: 1 }] }'), 'dashboards[0].layout[1].w', /x \+ w is 18, past the 12-column dashboard grid/],
  ['a dashboard tile starting beyond column 11', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }, { id: e, type: kpi, query: { dataset: orders, measures: [orders] } }], layout: [{ chart: c, x: 12, y: 0, w: 1, h: 1 }] }'), 'dashboards[0].layout[0].x', /grid has 12 columns/],
  ['overlapping dashboard tiles', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }, { id: e, type: kpi, query: { dataset: orders, measures: [orders] } }], layout: [{ chart: c, x: 0, y: 0, w: 6, h: 2 }, { chart: e, x: 4, y: 1, w: 6, h: 2 }] }'), 'dashboards[0].layout[1].x', /overlaps layout\[0\] \(chart "c"\)/],
  ['a chart placed twice', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }, { id: e, type: kpi, query: { dataset: orders, measures: [orders] } }], layout: [{ chart: c, x: 0, y: 0, w: 6, h: 2 }, { chart: c, x: 6, y: 0, w: 6, h: 2 }] }'), 'dashboards[0].layout[1].chart', /already placed by layout\[0\]/],
  ['a dashboard layout for an unknown chart', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }], layout: [{ chart: z, x: 0, y: 0, w: 1, h: 1 }] }'), 'dashboards[0].layout[0].chart', /unknown chart/],
  ['a dashboard chart query with an unknown key', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue], sql: x } }] }'), 'dashboards[0].charts[0].query.sql', /unknown key/],
  ['a dashboard chart query with an unknown member', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [profit] } }] }'), 'dashboards[0].charts[0].query.measures[0]', /unknown_member/],
  ['a dashboard chart query with an unknown dataset', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: nope, measures: [revenue] } }] }'), 'dashboards[0].charts[0].query.dataset', /unknown_dataset/],
  ['a dashboard with an invalid default date range', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }], filters: { dateRange: { member: region, default: next week } } }'), 'dashboards[0].filters.dateRange.default', /not a valid date range/],
  ['a join named like its dataset', DATASET('').replace('measures:', 'joins: { orders: { dataset: other, on: { a: b } } }\n    measures:') + '  other:\n    source: { table: other }\n    rowLevelSecurity: none\n', 'datasets.orders.joins.orders', /name of its dataset/],
  ['a dashboard picker for an unknown member', DATASET('dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }], filters: { pickers: [{ member: colour }] } }'), 'dashboards[0].filters.pickers[0].member', /not a dimension/],
  ['a hierarchy level that is no dimension', DATASET('').replace('measures:', 'hierarchies: { geo: [region, country] }\n    measures:'), 'datasets.orders.hierarchies.geo[1]', /"country" is not a dimension/],
  ['a hierarchy level that is a measure', DATASET('').replace('measures:', 'hierarchies: { geo: [region, revenue] }\n    measures:'), 'datasets.orders.hierarchies.geo[1]', /"revenue" is not a dimension/],
  ['a hierarchy level through an unknown join', DATASET('').replace('measures:', 'hierarchies: { geo: [region, customer.country] }\n    measures:'), 'datasets.orders.hierarchies.geo[1]', /"customer.country" is not a dimension/],
  ['a hierarchy with a time level', DATASET('').replace('dimensions: { region: { column: region } }', 'dimensions: { region: { column: region }, at: { column: at, type: time } }').replace('measures:', 'hierarchies: { geo: [region, at] }\n    measures:'), 'datasets.orders.hierarchies.geo[1]', /drills by granularity/],
  ['a member in two hierarchies', DATASET('').replace('dimensions: { region: { column: region } }', 'dimensions: { region: { column: region }, city: { column: city }, zone: { column: zone } }').replace('measures:', 'hierarchies: { a: [region, city], b: [zone, city] }\n    measures:'), 'datasets.orders.hierarchies.b[1]', /already a level of hierarchy "a"/],
  ['a rows column that is a measure', DATASET('').replace('measures:', 'rows: { columns: [region, revenue] }\n    measures:'), 'datasets.orders.rows.columns[1]', /"revenue" is not a dimension/],
  ['a rows column listed twice', DATASET('').replace('measures:', 'rows: { columns: [region, region] }\n    measures:'), 'datasets.orders.rows.columns[1]', /listed twice/],
  ['a one-level hierarchy', DATASET('').replace('measures:', 'hierarchies: { geo: [region] }\n    measures:'), 'datasets.orders.hierarchies.geo', /./],
];

describe('model validation', () => {
  it('accepts a hierarchy through a join, coarsest level first', () => {
    const text = DATASET('')
      .replace('measures:', 'joins: { customer: { dataset: customers, on: { customer_id: customer_id } } }\n    hierarchies: { geo: [region, customer.country] }\n    measures:') +
      '  customers:\n    source: { table: customers }\n    dimensions: { customer_id: { column: customer_id }, country: { column: country } }\n    rowLevelSecurity: none\n';
    expect(parseModel([{ file: 'ok.yaml', text }]).datasets.get('orders')?.hierarchies.get('geo')).toEqual(['region', 'customer.country']);
  });

  it.each(CASES)('refuses %s', (_name, text, path, message) => {
    const issues = issuesOf(text, 'bad.yaml');
    const issue = issues.find((i) => i.path === path && message.test(i.message));
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.file).toBe('bad.yaml');
  });

  it('accepts tiles that touch edge to edge and fill all 12 columns', () => {
    const text = DATASET(
      'dashboards:\n  - { id: d, title: D, charts: [{ id: c, type: kpi, query: { dataset: orders, measures: [revenue] } }, { id: e, type: kpi, query: { dataset: orders, measures: [orders] } }], layout: [{ chart: c, x: 0, y: 0, w: 7, h: 2 }, { chart: e, x: 7, y: 0, w: 5, h: 2 }] }',
    );
    expect(parseModel([{ file: 'ok.yaml', text }]).dashboards.get('d')?.layout).toHaveLength(2);
  });

  it('refuses perch init’s undecided stub, naming the candidate tenant columns, and still reports the file’s other problems', () => {
    const text = DATASET('', 'rowLevelSecurity: { undecided: { candidates: [customer_id, org_id] } }').replace('revenue: { sum: amount }', 'revenue: { sum: amount, avg: amount }');
    const issues = issuesOf(text, 'init.yaml');
    const stub = issues.find((i) => i.path === 'datasets.orders.rowLevelSecurity');
    expect(stub?.file).toBe('init.yaml');
    expect(stub?.message).toContain('candidate tenant columns: customer_id, org_id');
    expect(stub?.message).toContain('rowLevelSecurity: { column: customer_id, equals: { attribute: customerId } }');
    expect(stub?.message).toContain('rowLevelSecurity: none');
    expect(issues.some((i) => i.path === 'datasets.orders.measures.revenue')).toBe(true);
    const none = issuesOf(DATASET('', 'rowLevelSecurity: { undecided: { candidates: [] } }'));
    expect(none).toHaveLength(1);
    expect(none[0]!.message).toContain('no tenant-like column was found');
  });

  it('collects issues from several files and names a dataset defined twice', () => {
    const text = DATASET('');
    try {
      parseModel([
        { file: 'a.yaml', text },
        { file: 'b.yaml', text },
        { file: 'c.yaml', text: 'datasets:\n  x:\n    source: { table: x }\n' },
      ]);
      throw new Error('expected a refusal');
    } catch (error) {
      const issues = (error as ModelValidationError).issues;
      expect(issues).toContainEqual({ file: 'b.yaml', path: 'datasets.orders', message: 'dataset "orders" is already defined in a.yaml' });
      expect(issues.some((i) => i.file === 'c.yaml' && i.path === 'datasets.x.rowLevelSecurity')).toBe(true);
    }
  });

  it('builds immutable datasets with policy ids', () => {
    const model = parseModel([{ file: 'm.yaml', text: DATASET('', 'rowLevelSecurity: { all: [{ column: customer_id, equals: { attribute: customerId } }, { id: fin, attribute: department, equals: { value: finance } }] }') }]);
    const orders = model.datasets.get('orders');
    expect(orders?.rowLevelSecurity).toEqual({
      kind: 'all',
      id: 'orders.rls',
      children: [
        { kind: 'column', id: 'orders.rls.all[0]', column: 'customer_id', operator: 'equals', operand: { attribute: 'customerId' } },
        { kind: 'user', id: 'fin', attribute: 'department', operator: 'equals', value: 'finance' },
      ],
    });
    expect(Object.isFrozen(orders)).toBe(true);
    expect(orders?.measures.get('revenue')).toMatchObject({ kind: 'aggregate', aggregation: 'sum', column: 'amount' });
  });

  it('loads the demo model with its sales dashboard', async () => {
    const model = await loadModel(fileURLToPath(new URL('../../../../model', import.meta.url)));
    expect([...model.datasets.keys()].sort()).toEqual(['customers', 'orders', 'products']);
    for (const dataset of model.datasets.values()) expect(dataset.rowLevelSecurity).toBeDefined();
    expect(model.datasets.get('products')?.rowLevelSecurity).toBe('none');
    expect(model.dashboards.get('sales')?.charts.map((c) => c.type)).toEqual(['kpi', 'kpi', 'line', 'bar', 'pie', 'table']);
  });

  it('loadModel refuses an empty directory and reports the file of a bad one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'perch-model-'));
    try {
      await expect(loadModel(dir)).rejects.toBeInstanceOf(ModelValidationError);
      await writeFile(join(dir, 'x.yml'), 'datasets:\n  x:\n    source: { table: x }\n');
      await expect(loadModel(dir)).rejects.toMatchObject({ issues: [{ file: 'x.yml', path: 'datasets.x.rowLevelSecurity' }] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the demo model', () => {
  it('compiles every dashboard chart for a tenant user, with the tenant predicate', async () => {
    const { compileQuery } = await import('../pipeline.js');
    const model = await loadModel(fileURLToPath(new URL('../../../../model', import.meta.url)));
    const acme = { distinctId: 'a', role: 'viewer' as const, attributes: { customerId: 'acme', department: 'sales', region: 'EMEA' } };
    for (const chart of model.dashboards.get('sales')?.charts ?? []) {
      for (const dialect of ['duckdb', 'postgres'] as const) {
        const compiled = compileQuery(model, chart.query, acme, dialect, { maxLimit: 1000 });
        expect(compiled.main.sql).toContain('"orders"."customer_id" = $');
        expect(compiled.main.parameters).toContain('acme');
        expect(compiled.main.policiesApplied).toContain('orders.tenant');
      }
    }
  });

  it('hides margin from viewers and shows it to makers', async () => {
    const { catalogFor } = await import('../catalog.js');
    const model = await loadModel(fileURLToPath(new URL('../../../../model', import.meta.url)));
    const names = (role: 'viewer' | 'maker') => catalogFor(model, { distinctId: 'a', role, attributes: {} }).datasets.find((d) => d.name === 'orders')?.members.map((m) => m.name) ?? [];
    expect(names('viewer')).not.toContain('margin');
    expect(names('viewer')).not.toContain('margin_pct');
    expect(names('maker')).toEqual(expect.arrayContaining(['margin', 'margin_pct', 'cost']));
  });
});
