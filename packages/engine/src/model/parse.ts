import { parseDocument } from 'yaml';
import { DashboardSchema, ModelFileSchema, RLS_OPERATORS, type DatasetInput, type MeasureInput, type PolicyInput, type RlsOperator } from './schema.js';
import { ModelValidationError, type ModelIssue } from './model-error.js';
import { flattenZodIssues } from './zod-issues.js';
import { ExpressionSyntaxError, parseMeasureExpression, referencedMeasures } from './expression.js';
import { readOnlySqlProblem } from './sql-source.js';
import { deepFreeze, PerchError } from '@perch/protocol';
import { planQuery } from '../planner.js';
import { resolveDateRange } from '../dates.js';
import { lookupMember } from '../access.js';
import { layoutProblems } from './layout-grid.js';
import { takeUndecidedPolicies } from './undecided-policy.js';
import type { Dashboard, Dataset, Dimension, DimensionType, Join, Measure, MemberRule, Model, PolicyNode, RlsOperand } from './types.js';
import { literalTypeProblem } from './column-types.js';
import { buildSource, routeJoinProblem } from './route-source.js';

export interface ModelFile {
  file: string;
  text: string;
}

/**
 * Parse and validate model YAML files into an immutable `Model`. All issues of all files are
 * collected before throwing, each with its file and path.
 *
 * @example
 * ```ts
 * const model = parseModel([{ file: 'demo.yaml', text: await readFile('model/demo.yaml', 'utf8') }]);
 * model.datasets.get('orders')?.measures.get('revenue');
 * ```
 * @throws ModelValidationError (code `model_invalid`)
 */
export function parseModel(files: ReadonlyArray<ModelFile>): Model {
  const issues: ModelIssue[] = [];
  const datasetInputs = new Map<string, { file: string; input: DatasetInput }>();
  const dashboards = new Map<string, Dashboard>();

  for (const { file, text } of files) {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      for (const error of doc.errors) issues.push({ file, path: '', message: `YAML: ${error.message.split('\n')[0] ?? error.code}` });
      continue;
    }
    const raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
    const reserved = reservedKeyPaths(raw);
    if (reserved.length > 0) {
      for (const path of reserved) issues.push({ file, path, message: 'is a reserved name' });
      continue;
    }
    // `perch init`'s stubs are reported (and the model refused) before the schema sees them.
    const parsed = ModelFileSchema.safeParse(takeUndecidedPolicies(raw, file, issues));
    if (!parsed.success) {
      for (const issue of flattenZodIssues(parsed.error.issues)) issues.push({ file, ...issue });
      continue;
    }
    for (const [name, input] of Object.entries(parsed.data.datasets)) {
      const previous = datasetInputs.get(name);
      if (previous) issues.push({ file, path: `datasets.${name}`, message: `dataset "${name}" is already defined in ${previous.file}` });
      else datasetInputs.set(name, { file, input });
    }
    parsed.data.dashboards.forEach((dashboard, index) => {
      if (dashboards.has(dashboard.id)) issues.push({ file, path: `dashboards[${index}].id`, message: `dashboard "${dashboard.id}" is defined twice` });
      else dashboards.set(dashboard.id, deepFreeze({ ...dashboard, file }));
    });
  }

  const datasets = new Map<string, Dataset>();
  const policyIds = new Map<string, string>();
  for (const [name, { file, input }] of datasetInputs) {
    const dataset = buildDataset(name, file, input, datasetInputs, policyIds, (path, message) => issues.push({ file, path: `datasets.${name}.${path}`, message }));
    datasets.set(name, dataset);
  }
  if (issues.length > 0) throw new ModelValidationError(issues);
  const model: Model = Object.freeze({ datasets, dashboards });
  let index = 0;
  for (const dashboard of dashboards.values()) checkDashboard(dashboard, index++, model, issues);
  if (issues.length > 0) throw new ModelValidationError(issues);
  return model;
}

/**
 * Validate one dashboard definition (e.g. saved through the API) against a loaded model, with the
 * same schema and checks as a dashboard in a model file. Issue paths are relative to the dashboard.
 *
 * @example
 * ```ts
 * const dashboard = parseDashboard(model, { id: 'mine', title: 'Mine', charts: [...] }, 'store');
 * ```
 * @throws ModelValidationError listing every issue (`charts[0].query.measures[0]`, …)
 */
export function parseDashboard(model: Model, input: unknown, file = 'api'): Dashboard {
  const reserved = reservedKeyPaths(input);
  if (reserved.length > 0) throw new ModelValidationError(reserved.map((path) => ({ file, path, message: 'is a reserved name' })));
  const parsed = DashboardSchema.safeParse(input);
  if (!parsed.success) throw new ModelValidationError(flattenZodIssues(parsed.error.issues).map((issue) => ({ file, ...issue })));
  const dashboard = deepFreeze({ ...parsed.data, file });
  const issues: ModelIssue[] = [];
  checkDashboard(dashboard, 0, model, issues);
  if (issues.length > 0) throw new ModelValidationError(issues.map((issue) => ({ ...issue, path: issue.path.replace(/^dashboards\[0\]\.?/, '') })));
  return dashboard;
}

type Report = (path: string, message: string) => void;

function buildDataset(
  name: string,
  file: string,
  input: DatasetInput,
  all: ReadonlyMap<string, { input: DatasetInput }>,
  policyIds: Map<string, string>,
  report: Report,
): Dataset {
  if ('sql' in input.source) {
    const problem = readOnlySqlProblem(input.source.sql);
    if (problem) report('source.sql', problem);
  }
  const source = buildSource(input.source, report);

  const taken = new Map<string, string>();
  const claim = (member: string, section: string): void => {
    const other = taken.get(member);
    if (other) report(`${section}.${member}`, `"${member}" is already a member in ${other}`);
    else taken.set(member, section);
  };

  const dimensions = new Map<string, Dimension>();
  for (const [key, d] of Object.entries(input.dimensions)) {
    claim(key, 'dimensions');
    dimensions.set(key, Object.freeze({ name: key, column: d.column, type: d.type, ...describe(d) }));
  }

  const measures = new Map<string, Measure>();
  for (const [key, m] of Object.entries(input.measures)) {
    claim(key, 'measures');
    const measure = buildMeasure(key, m, (message) => report(`measures.${key}.expression`, message));
    if (measure) measures.set(key, measure);
  }
  checkExpressionReferences(measures, report);

  const joins = new Map<string, Join>();
  for (const [key, j] of Object.entries(input.joins)) {
    claim(key, 'joins');
    if (!all.has(j.dataset)) report(`joins.${key}.dataset`, `unknown dataset "${j.dataset}"`);
    else if (j.dataset === name) report(`joins.${key}.dataset`, 'a dataset cannot join itself');
    // The join name is a table alias next to the dataset's own name; they must not collide.
    if (key === name) report(`joins.${key}`, 'a join cannot have the name of its dataset');
    const target = all.get(j.dataset);
    const routeProblem = target && routeJoinProblem(input.source, target.input.source);
    if (routeProblem) report(`joins.${key}.dataset`, routeProblem);
    joins.set(key, Object.freeze({ name: key, dataset: j.dataset, on: Object.freeze(Object.entries(j.on).map(([l, r]) => Object.freeze([l, r] as const))) }));
  }

  const hierarchies = buildHierarchies(input, dimensions, joins, all, report);
  const rowColumns = buildRowColumns(input, dimensions, joins, all, report);

  const memberRules = new Map<string, MemberRule>();
  for (const [key, rule] of Object.entries(input.members)) {
    if (!dimensions.has(key) && !measures.has(key)) report(`members.${key}`, `"${key}" is not a dimension or measure of this dataset`);
    const attribute = rule.attribute ? Object.freeze({ name: rule.attribute.name, values: Object.freeze(rule.attribute.in ?? [rule.attribute.equals as NonNullable<typeof rule.attribute.equals>]) }) : undefined;
    memberRules.set(key, Object.freeze({ roles: rule.roles ? Object.freeze([...rule.roles]) : undefined, attribute }));
  }

  const declared = declaredColumnTypes(dimensions, report);
  const rowLevelSecurity = input.rowLevelSecurity === 'none' ? 'none' : buildPolicy(input.rowLevelSecurity, `${name}.rls`, 'rowLevelSecurity', { ids: policyIds, file, declared }, report);

  return Object.freeze({
    name,
    file,
    title: input.title,
    description: input.description,
    source,
    dimensions,
    measures,
    joins,
    memberRules,
    rowLevelSecurity,
    hierarchies,
    rowColumns,
  });
}

/**
 * Each hierarchy level must be a non-time dimension of the dataset, its own or through one of its
 * joins, and appear once; a member may sit in one hierarchy only, so "one level down" from it is
 * never ambiguous.
 */
function buildHierarchies(
  input: DatasetInput,
  dimensions: ReadonlyMap<string, Dimension>,
  joins: ReadonlyMap<string, Join>,
  all: ReadonlyMap<string, { input: DatasetInput }>,
  report: Report,
): ReadonlyMap<string, readonly string[]> {
  const hierarchies = new Map<string, readonly string[]>();
  const placed = new Map<string, string>();
  for (const [name, levels] of Object.entries(input.hierarchies)) {
    levels.forEach((level, index) => {
      const path = `hierarchies.${name}[${index}]`;
      const dot = level.indexOf('.');
      const type = dot < 0 ? dimensions.get(level)?.type : joinedDimensionType(level.slice(0, dot), level.slice(dot + 1), joins, all);
      if (type === undefined) report(path, `"${level}" is not a dimension of this dataset or of one of its joins`);
      else if (type === 'time') report(path, `"${level}" is a time dimension: time drills by granularity (year → quarter → month → day), not by hierarchy`);
      const other = placed.get(level);
      if (other !== undefined) report(path, `"${level}" is already a level of hierarchy "${other}"`);
      else placed.set(level, name);
    });
    hierarchies.set(name, Object.freeze([...levels]));
  }
  return hierarchies;
}

/** "View rows" columns must be dimensions of the dataset or of one of its joins, each once. */
function buildRowColumns(
  input: DatasetInput,
  dimensions: ReadonlyMap<string, Dimension>,
  joins: ReadonlyMap<string, Join>,
  all: ReadonlyMap<string, { input: DatasetInput }>,
  report: Report,
): readonly string[] | undefined {
  const columns = input.rows?.columns;
  if (!columns) return undefined;
  columns.forEach((column, index) => {
    const dot = column.indexOf('.');
    const type = dot < 0 ? dimensions.get(column)?.type : joinedDimensionType(column.slice(0, dot), column.slice(dot + 1), joins, all);
    if (type === undefined) report(`rows.columns[${index}]`, `"${column}" is not a dimension of this dataset or of one of its joins`);
    if (columns.indexOf(column) !== index) report(`rows.columns[${index}]`, `"${column}" is listed twice`);
  });
  return Object.freeze([...columns]);
}

function joinedDimensionType(joinName: string, member: string, joins: ReadonlyMap<string, Join>, all: ReadonlyMap<string, { input: DatasetInput }>): string | undefined {
  const join = joins.get(joinName);
  const target = join ? all.get(join.dataset)?.input : undefined;
  if (!target || !Object.prototype.hasOwnProperty.call(target.dimensions, member)) return undefined;
  return target.dimensions[member]?.type;
}

function describe(m: { title?: string | undefined; description?: string | undefined; format?: string | undefined; synonyms?: string[] | undefined }) {
  return { title: m.title, description: m.description, format: m.format, synonyms: Object.freeze([...(m.synonyms ?? [])]) };
}

function buildMeasure(name: string, m: MeasureInput, report: (message: string) => void): Measure | undefined {
  if (m.expression !== undefined) {
    try {
      return Object.freeze({ name, kind: 'expression', expression: parseMeasureExpression(m.expression), ...describe(m) });
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) {
        report(error.message);
        return undefined;
      }
      throw error;
    }
  }
  for (const aggregation of ['count', 'countDistinct', 'sum', 'avg', 'min', 'max'] as const) {
    const column = m[aggregation];
    if (column !== undefined) return Object.freeze({ name, kind: 'aggregate', aggregation, column, ...describe(m) });
  }
  return undefined;
}

/** Expression measures may refer only to measures of their dataset, without cycles. */
function checkExpressionReferences(measures: ReadonlyMap<string, Measure>, report: Report): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]): void => {
    const measure = measures.get(name);
    if (!measure || measure.kind !== 'expression' || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      report(`measures.${trail[0]}.expression`, `circular reference: ${[...trail, name].join(' -> ')}`);
      return;
    }
    state.set(name, 'visiting');
    for (const ref of referencedMeasures(measure.expression)) {
      if (!measures.has(ref)) report(`measures.${name}.expression`, `"${ref}" is not a measure of this dataset`);
      else visit(ref, [...trail, name]);
    }
    state.set(name, 'done');
  };
  for (const name of measures.keys()) visit(name, []);
}

/**
 * Column types the dataset's dimensions declare. Two dimensions over one column with different
 * types would leave a policy on that column without one type to compare in, so that is an issue.
 */
function declaredColumnTypes(dimensions: ReadonlyMap<string, Dimension>, report: Report): ReadonlyMap<string, DimensionType> {
  const types = new Map<string, DimensionType>();
  for (const dimension of dimensions.values()) {
    const seen = types.get(dimension.column);
    if (seen !== undefined && seen !== dimension.type) report(`dimensions.${dimension.name}.type`, `column "${dimension.column}" is declared as ${seen} by another dimension`);
    else types.set(dimension.column, dimension.type);
  }
  return types;
}

interface PolicyContext {
  readonly ids: Map<string, string>;
  readonly file: string;
  /** Column types declared by the dataset's dimensions. */
  readonly declared: ReadonlyMap<string, DimensionType>;
}

function buildPolicy(input: PolicyInput, defaultId: string, path: string, context: PolicyContext, report: Report): PolicyNode {
  const { ids, file } = context;
  const id = input.id ?? defaultId;
  const seenIn = ids.get(id);
  if (seenIn) report(`${path}.id`, `policy id "${id}" is already used in ${seenIn}`);
  ids.set(id, file);

  if ('all' in input || 'any' in input) {
    const group = input as { all?: PolicyInput[]; any?: PolicyInput[] };
    const kind = group.all ? 'all' : 'any';
    const items = group.all ?? group.any ?? [];
    const children = items.map((child, i) => buildPolicy(child, `${id}.${kind}[${i}]`, `${path}.${kind}[${i}]`, context, report));
    return Object.freeze({ kind, id, children: Object.freeze(children) });
  }
  const leaf = input as Partial<Record<RlsOperator, RlsOperand>> & { column?: string; attribute?: string };
  const operator = RLS_OPERATORS.find((op) => leaf[op] !== undefined) as RlsOperator;
  const operand = leaf[operator] as RlsOperand;
  const listOperator = operator === 'in' || operator === 'notIn';
  if ('value' in operand && Array.isArray(operand.value) !== listOperator) {
    report(`${path}.${operator}.value`, listOperator ? `"${operator}" needs a list of values` : `"${operator}" needs a single value`);
  }
  if (leaf.column !== undefined) {
    const columnType = context.declared.get(leaf.column);
    if (columnType !== undefined && 'value' in operand) {
      const problem = literalTypeProblem(operand.value, columnType);
      if (problem) report(`${path}.${operator}.value`, problem);
    }
    return Object.freeze({ kind: 'column', id, column: leaf.column, operator, operand: Object.freeze({ ...operand }), columnType });
  }
  return Object.freeze({ kind: 'user', id, attribute: leaf.attribute as string, operator, value: (operand as { value: RlsOperand & object })['value'] as never });
}

/** The planner's view of a model author: every role, no attributes (RLS is not planned here). */
const MODEL_AUTHOR = Object.freeze({ distinctId: 'model', role: 'admin' as const, attributes: Object.freeze({}) });

/** Chart queries must plan against the model; filter members must exist in a chart's dataset. */
function checkDashboard(dashboard: Dashboard, index: number, model: Model, issues: ModelIssue[]): void {
  const base = `dashboards[${index}]`;
  const report = (path: string, message: string) => issues.push({ file: dashboard.file, path: `${base}.${path}`, message });
  const chartIds = new Set<string>();
  const chartDatasets = new Set<string>();
  dashboard.charts.forEach((chart, i) => {
    if (chartIds.has(chart.id)) report(`charts[${i}].id`, `chart "${chart.id}" is defined twice`);
    chartIds.add(chart.id);
    chartDatasets.add(chart.query.dataset);
    try {
      planQuery(model, chart.query, MODEL_AUTHOR, { maxLimit: Number.MAX_SAFE_INTEGER, now: new Date(0) });
    } catch (error) {
      // Attribute-gated members are checked per user at query time, not here.
      if (!(error instanceof PerchError)) throw error;
      if (error.code !== 'member_forbidden') report(`charts[${i}].query${error.path ? `.${error.path}` : ''}`, `${error.code}: ${error.message}`);
    }
  });
  dashboard.layout.forEach((item, i) => {
    if (!chartIds.has(item.chart)) report(`layout[${i}].chart`, `unknown chart "${item.chart}"`);
  });
  for (const problem of layoutProblems(dashboard.layout)) report(`layout[${problem.index}].${problem.field}`, problem.message);
  const defaultRange = dashboard.filters?.dateRange?.default;
  if (defaultRange !== undefined) {
    try {
      resolveDateRange(defaultRange, 'UTC', new Date(0));
    } catch {
      report('filters.dateRange.default', 'not a valid date range');
    }
  }
  const filterMembers: Array<[string, string]> = [];
  if (dashboard.filters?.dateRange) filterMembers.push(['filters.dateRange.member', dashboard.filters.dateRange.member]);
  dashboard.filters?.pickers.forEach((picker, i) => filterMembers.push([`filters.pickers[${i}].member`, picker.member]));
  for (const [path, member] of filterMembers) {
    const found = [...chartDatasets].some((name) => {
      const dataset = model.datasets.get(name);
      return dataset !== undefined && lookupMember(model.datasets, dataset, member)?.kind === 'dimension';
    });
    if (!found) report(path, `"${member}" is not a dimension of any chart's dataset`);
  }
}

const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Paths of reserved keys anywhere in a parsed file. They are refused before schema validation,
 * because copying such a key into a plain object would change its prototype and silently drop it.
 */
function reservedKeyPaths(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => reservedKeyPaths(item, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const child = path ? `${path}.${key}` : key;
    return RESERVED_KEYS.has(key) ? [child] : reservedKeyPaths((value as Record<string, unknown>)[key], child);
  });
}
