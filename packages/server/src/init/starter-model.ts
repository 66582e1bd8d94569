import { UNDECIDED_KEY } from '@perch/engine';
import type { ColumnShape, DatabaseShape, TableShape } from './database-shape.js';

/** Column names that usually hold the tenant; listed to the developer, never chosen for them. */
export const TENANT_COLUMN_CANDIDATES = ['tenant_id', 'customer_id', 'org_id', 'organization_id', 'organisation_id', 'account_id', 'company_id', 'workspace_id', 'team_id'] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How the starter model's header names the database it was read from. */
const DIALECT_NAMES: Record<DatabaseShape['dialect'], string> = { postgres: 'PostgreSQL database', duckdb: 'DuckDB database', mysql: 'MySQL/MariaDB database' };

/** `ordered_at` → `Ordered at`. */
export function titleOf(name: string): string {
  const words = name.replace(/[_\s]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A YAML scalar for a flow mapping: words and spaces as they are (safe there: no `,{}[]:#`),
 * anything else as a JSON string, which is valid YAML.
 */
function scalar(value: string): string {
  return /^[A-Za-z_][A-Za-z0-9_ ]*[A-Za-z0-9_]$/.test(value) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(value) ? value : JSON.stringify(value);
}

function isIdLike(column: ColumnShape, foreignKeyColumns: ReadonlySet<string>): boolean {
  return column.primaryKey || foreignKeyColumns.has(column.name) || column.name === 'id' || column.name.endsWith('_id');
}

interface DatasetPlan {
  table: TableShape;
  dimensions: ColumnShape[];
  skipped: ColumnShape[];
  summable: ColumnShape[];
  countName: string;
  joins: Array<{ name: string; dataset: string; on: Array<[string, string]> }>;
  candidates: string[];
}

function planDataset(table: TableShape, modelled: ReadonlySet<string>): DatasetPlan {
  const usable = table.columns.filter((c) => c.kind !== undefined && IDENTIFIER.test(c.name));
  const skipped = table.columns.filter((c) => !usable.includes(c));
  const foreignKeyColumns = new Set(table.foreignKeys.flatMap((fk) => fk.columns));
  const summable = usable.filter((c) => c.kind === 'number' && !isIdLike(c, foreignKeyColumns));
  const memberNames = new Set(usable.map((c) => c.name));
  for (const c of summable) {
    memberNames.add(`${c.name}_sum`);
    memberNames.add(`${c.name}_avg`);
  }
  const countName = ['count', 'row_count', 'rows_total'].find((name) => !memberNames.has(name)) ?? 'perch_count';
  const joins: DatasetPlan['joins'] = [];
  for (const fk of table.foreignKeys) {
    // Self-references and references to tables left out of the model cannot become joins.
    if (fk.referencedTable === table.name || !modelled.has(fk.referencedTable) || fk.columns.length !== fk.referencedColumns.length) continue;
    if (![...fk.columns, ...fk.referencedColumns].every((c) => IDENTIFIER.test(c))) continue;
    let name = fk.referencedTable;
    if (joins.some((j) => j.name === name) || memberNames.has(name)) name = `${fk.columns.join('_').replace(/_id$/, '')}_${fk.referencedTable}`;
    if (joins.some((j) => j.name === name) || name === table.name) continue;
    joins.push({ name, dataset: fk.referencedTable, on: fk.columns.map((c, i) => [c, fk.referencedColumns[i]!]) });
  }
  const candidates = TENANT_COLUMN_CANDIDATES.filter((candidate) => usable.some((c) => c.name === candidate));
  return { table, dimensions: usable, skipped, summable, countName, joins, candidates };
}

function source(shape: DatabaseShape, table: string): string {
  return shape.qualify ? `${shape.schema}.${table}` : table;
}

function datasetYaml(shape: DatabaseShape, plan: DatasetPlan): string[] {
  const t = plan.table;
  const lines = [`  ${t.name}:`, `    title: ${scalar(titleOf(t.name))}`, `    source: { table: ${source(shape, t.name)} }`];
  lines.push('    dimensions:');
  for (const c of plan.dimensions) lines.push(`      ${c.name}: { column: ${c.name}, type: ${c.kind}, title: ${scalar(titleOf(c.name))} }`);
  for (const c of plan.skipped) lines.push(`      # ${JSON.stringify(c.name)} (${c.databaseType}) is not modelled: ${IDENTIFIER.test(c.name) ? 'Perch has no dimension type for it' : 'its name is not an identifier'}`);
  lines.push('    measures:');
  lines.push(`      ${plan.countName}: { count: "*", title: ${scalar(`${titleOf(t.name)} count`)}, format: integer }`);
  for (const c of plan.summable) {
    lines.push(`      ${c.name}_sum: { sum: ${c.name}, title: ${scalar(`Total ${titleOf(c.name).toLowerCase()}`)} }`);
    lines.push(`      ${c.name}_avg: { avg: ${c.name}, title: ${scalar(`Average ${titleOf(c.name).toLowerCase()}`)} }`);
  }
  if (plan.joins.length > 0) {
    lines.push('    joins:');
    for (const join of plan.joins) lines.push(`      ${join.name}: { dataset: ${join.dataset}, on: { ${join.on.map(([from, to]) => `${from}: ${to}`).join(', ')} } }`);
  }
  const example = plan.candidates[0];
  lines.push(
    '    # Row-level security is yours to decide: `perch check` refuses this stub until you do.',
    example
      ? `    # For example: rowLevelSecurity: { column: ${example}, equals: { attribute: ${example.replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())} } }`
      : '    # For example: rowLevelSecurity: { column: tenant_id, equals: { attribute: tenantId } }',
    '    # Only for rows every user may see: rowLevelSecurity: none',
    `    rowLevelSecurity: { ${UNDECIDED_KEY}: { candidates: [${plan.candidates.join(', ')}] } }`,
  );
  return lines;
}

function dashboardYaml(plan: DatasetPlan): string[] {
  const t = plan.table.name;
  const charts: Array<{ id: string; type: string; title: string; query: string }> = [{ id: 'total', type: 'kpi', title: `${titleOf(t)} count`, query: `{ dataset: ${t}, measures: [${plan.countName}] }` }];
  const sum = plan.summable[0];
  if (sum) charts.push({ id: `${sum.name}_total`, type: 'kpi', title: `Total ${titleOf(sum.name).toLowerCase()}`, query: `{ dataset: ${t}, measures: [${sum.name}_sum] }` });
  const time = plan.dimensions.find((c) => c.kind === 'time');
  if (time) charts.push({ id: `by_${time.name}`, type: 'line', title: `${titleOf(t)} by month of ${titleOf(time.name).toLowerCase()}`, query: `{ dataset: ${t}, measures: [${plan.countName}], timeDimension: { member: ${time.name}, granularity: month } }` });
  const foreignKeyColumns = new Set(plan.table.foreignKeys.flatMap((fk) => fk.columns));
  const category = plan.dimensions.find((c) => c.kind === 'string' && !isIdLike(c, foreignKeyColumns));
  if (category) charts.push({ id: `by_${category.name}`, type: 'bar', title: `${titleOf(t)} by ${titleOf(category.name).toLowerCase()}`, query: `{ dataset: ${t}, measures: [${plan.countName}], dimensions: [${category.name}], order: [{ member: ${plan.countName}, direction: desc }], limit: 10 }` });

  // On the 12-column grid: KPIs side by side on the first row, each other chart full width.
  const kpis = charts.filter((c) => c.type === 'kpi');
  const layout: string[] = [];
  let y = 0;
  kpis.forEach((chart, i) => layout.push(`      - { chart: ${chart.id}, x: ${i * (12 / kpis.length)}, y: 0, w: ${12 / kpis.length}, h: 2 }`));
  y = 2;
  for (const chart of charts.filter((c) => c.type !== 'kpi')) {
    layout.push(`      - { chart: ${chart.id}, x: 0, y: ${y}, w: 12, h: 4 }`);
    y += 4;
  }
  return [
    'dashboards:',
    `  - id: ${t}_overview`,
    `    title: ${scalar(`${titleOf(t)} overview`)}`,
    `    description: ${scalar(`Written by perch init for the largest table, ${t}.`)}`,
    ...(time ? ['    filters:', `      dateRange: { member: ${time.name} }`] : []),
    '    charts:',
    ...charts.flatMap((chart) => [`      - id: ${chart.id}`, `        type: ${chart.type}`, `        title: ${scalar(chart.title)}`, `        query: ${chart.query}`]),
    '    layout:',
    ...layout,
  ];
}

/** The result of `starterModel`: the YAML text and what it holds, for the command's summary. */
export interface StarterModel {
  yaml: string;
  datasets: string[];
  dashboard: string | undefined;
  skippedTables: string[];
}

/**
 * A starter model for a database: one dataset per table, dimensions by column type, a count plus
 * sums and averages of numeric (non-key) columns, joins from foreign keys, titles from names,
 * a dashboard for the largest table, and an undecided row-level security stub on every dataset.
 *
 * @example
 * const { yaml } = starterModel(await introspectPostgres(url, 'public'));
 */
export function starterModel(shape: DatabaseShape): StarterModel {
  const tables = shape.tables.filter((t) => IDENTIFIER.test(t.name) && t.columns.some((c) => c.kind !== undefined && IDENTIFIER.test(c.name)));
  const skippedTables = shape.tables.filter((t) => !tables.includes(t)).map((t) => t.name);
  const modelled = new Set(tables.map((t) => t.name));
  const plans = tables.map((t) => planDataset(t, modelled));
  const largest = [...plans].sort((a, b) => b.table.rows - a.table.rows || a.table.name.localeCompare(b.table.name))[0];
  const lines = [
    `# Written by \`perch init\` from a ${DIALECT_NAMES[shape.dialect]} (${shape.dialect === 'mysql' ? 'database' : 'schema'} ${shape.schema}).`,
    '# A starting point: rename members, delete what nobody needs, and decide row-level security',
    '# for every dataset (see docs/own-data.md). `perch check` lists what is still to do.',
    ...skippedTables.map((name) => `# Table ${JSON.stringify(name)} is left out: its name or every column's type cannot be modelled.`),
    'datasets:',
    ...plans.flatMap((plan, i) => [...(i > 0 ? [''] : []), ...datasetYaml(shape, plan)]),
    '',
    ...(largest ? dashboardYaml(largest) : []),
    '',
  ];
  return { yaml: lines.join('\n'), datasets: plans.map((p) => p.table.name), dashboard: largest ? `${largest.table.name}_overview` : undefined, skippedTables };
}
