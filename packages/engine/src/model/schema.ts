import { z } from 'zod';
import { ROLES, SemanticQuerySchema } from '@perch/protocol';

/**
 * The zod schema of one model YAML file. Every object is strict, so an unknown key anywhere is an
 * error with its path: a typo in `rowLevelSecurity` must never silently mean "no policy".
 */

/** Column and member names: plain identifiers, never SQL text. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be an identifier ([A-Za-z_][A-Za-z0-9_]*)')
  // Reserved names would collide with object prototypes in any consumer that indexes by name.
  .refine((s) => !RESERVED.has(s), 'is a reserved name');
/** A table may be schema-qualified: `analytics.orders`. */
const tableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'must be a table identifier (optionally schema.table)');

const literal = z.union([z.string().max(1024), z.number().finite(), z.boolean()]);
export type ModelLiteral = z.output<typeof literal>;

const describable = {
  title: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  format: z.string().max(64).optional(),
  synonyms: z.array(z.string().min(1).max(100)).max(50).optional(),
};

export const DIMENSION_TYPES = ['string', 'number', 'boolean', 'time'] as const;

const DimensionSchema = z.strictObject({
  column: identifier,
  type: z.enum(DIMENSION_TYPES).default('string'),
  primaryKey: z.boolean().optional(),
  ...describable,
});

export const AGGREGATIONS = ['count', 'countDistinct', 'sum', 'avg', 'min', 'max'] as const;

const MeasureSchema = z
  .strictObject({
    count: z.union([z.literal('*'), identifier]).optional(),
    countDistinct: identifier.optional(),
    sum: identifier.optional(),
    avg: identifier.optional(),
    min: identifier.optional(),
    max: identifier.optional(),
    expression: z.string().min(1).max(1000).optional(),
    ...describable,
  })
  .superRefine((measure, ctx) => {
    const kinds = [...AGGREGATIONS, 'expression'].filter((k) => measure[k as keyof typeof measure] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a measure needs exactly one of ${[...AGGREGATIONS, 'expression'].join(', ')} (found ${kinds.length})` });
    }
  });

export const RLS_OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte'] as const;
export type RlsOperator = (typeof RLS_OPERATORS)[number];

const operand = z.union([z.strictObject({ attribute: identifier }), z.strictObject({ value: z.union([literal, z.array(literal).max(1000)]) })]);
export type RlsOperandInput = z.output<typeof operand>;

const operatorFields = Object.fromEntries(RLS_OPERATORS.map((op) => [op, operand.optional()])) as Record<RlsOperator, z.ZodOptional<typeof operand>>;

function exactlyOneOperator(leaf: Partial<Record<RlsOperator, unknown>>, ctx: z.core.$RefinementCtx): void {
  const ops = RLS_OPERATORS.filter((op) => leaf[op] !== undefined);
  if (ops.length !== 1) ctx.addIssue({ code: 'custom', message: `a condition needs exactly one operator of ${RLS_OPERATORS.join(', ')} (found ${ops.length})` });
}

/** `{ column, <operator>: { attribute } | { value } }`: a row predicate. */
const ColumnConditionSchema = z.strictObject({ id: z.string().max(100).optional(), column: identifier, ...operatorFields }).superRefine(exactlyOneOperator);

/** `{ attribute, <operator>: { value } }`: a condition on the user alone, decided at plan time. */
const UserConditionSchema = z
  .strictObject({ id: z.string().max(100).optional(), attribute: identifier, ...operatorFields })
  .superRefine(exactlyOneOperator)
  .superRefine((leaf, ctx) => {
    for (const op of RLS_OPERATORS) {
      const o = leaf[op];
      if (o && 'attribute' in o) ctx.addIssue({ code: 'custom', path: [op], message: 'a user condition compares an attribute with a { value }' });
    }
  });

export interface PolicyGroupInput {
  id?: string | undefined;
  all?: PolicyInput[] | undefined;
  any?: PolicyInput[] | undefined;
}
export type PolicyInput = PolicyGroupInput | z.output<typeof ColumnConditionSchema> | z.output<typeof UserConditionSchema>;

const PolicySchema: z.ZodType<PolicyInput> = z.lazy(() =>
  z.union([
    z
      .strictObject({ id: z.string().max(100).optional(), all: z.array(PolicySchema).min(1, 'an empty group would be ambiguous; use rowLevelSecurity: none').optional(), any: z.array(PolicySchema).min(1, 'an empty group would be ambiguous; use rowLevelSecurity: none').optional() })
      .refine((g) => (g.all === undefined) !== (g.any === undefined), 'a group has exactly one of all, any'),
    ColumnConditionSchema,
    UserConditionSchema,
  ]),
);

const MemberRuleSchema = z.strictObject({
  roles: z.array(z.enum(ROLES)).min(1).optional(),
  attribute: z
    .strictObject({ name: identifier, equals: literal.optional(), in: z.array(literal).min(1).optional() })
    .refine((a) => (a.equals === undefined) !== (a.in === undefined), 'an attribute rule has exactly one of equals, in')
    .optional(),
});

const JoinSchema = z.strictObject({
  dataset: identifier,
  relationship: z.literal('manyToOne').default('manyToOne'),
  on: z.record(identifier, identifier).refine((on) => Object.keys(on).length > 0, 'a join needs at least one column pair'),
});

/**
 * Tenant routing: the schema (or database) of a table comes from a token attribute. The pattern is
 * checked for anchors and compiled when the model is parsed (parse.ts), where the file is known.
 * `reference` names a schema (database) of the same shape, used only by the startup column probe.
 */
const RouteSchema = z.strictObject({
  attribute: identifier,
  pattern: z.string().min(3).max(500),
  reference: z.string().min(1).max(64),
});
export type RouteInput = z.output<typeof RouteSchema>;

const TableSourceSchema = z
  .strictObject({ table: tableName, schema: RouteSchema.optional(), database: RouteSchema.optional() })
  .superRefine((source, ctx) => {
    if (source.schema && source.database) ctx.addIssue({ code: 'custom', message: 'a source routes by schema or by database, not both' });
    // The route supplies the qualifier; a table already qualified would be ambiguous.
    if ((source.schema || source.database) && source.table.includes('.')) ctx.addIssue({ code: 'custom', path: ['table'], message: 'a routed table is not schema-qualified: the route supplies the schema' });
  });

const SourceSchema = z.union([TableSourceSchema, z.strictObject({ sql: z.string().min(1).max(20_000) })]);

const DatasetSchema = z.strictObject({
  title: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  source: SourceSchema,
  dimensions: z.record(identifier, DimensionSchema).default({}),
  measures: z.record(identifier, MeasureSchema).default({}),
  joins: z.record(identifier, JoinSchema).default({}),
  members: z.record(identifier, MemberRuleSchema).default({}),
  rowLevelSecurity: z.union([z.literal('none'), PolicySchema]),
  /**
   * Drill-down paths: a name → the dimensions from the coarsest level to the finest, each an own
   * dimension or a joined `join.member` (`geography: [region, customer.country]`). Time
   * dimensions are not listed: they drill by granularity (year → quarter → month → day).
   */
  /**
   * The columns of "View rows" (the rows behind a value of a chart), own or joined dimensions;
   * without it, the dataset's own dimensions.
   */
  rows: z.strictObject({ columns: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'must be a member (dimension or join.dimension)')).min(1).max(50) }).optional(),
  hierarchies: z.record(identifier, z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/, 'must be a member (dimension or join.dimension)')).min(2).max(8)).default({}),
});

const ChartSchema = z.strictObject({
  id: identifier,
  type: z.enum(['kpi', 'bar', 'line', 'area', 'pie', 'table']),
  title: z.string().max(200).optional(),
  description: z.string().max(2000).optional(),
  query: SemanticQuerySchema,
});

export const DashboardSchema = z.strictObject({
  id: identifier,
  title: z.string().max(200),
  description: z.string().max(2000).optional(),
  charts: z.array(ChartSchema).min(1).max(100),
  layout: z
    .array(
      z.strictObject({
        chart: identifier,
        x: z.number().int().min(0).max(23),
        y: z.number().int().min(0).max(1000),
        w: z.number().int().min(1).max(24),
        h: z.number().int().min(1).max(100),
      }),
    )
    .default([]),
  filters: z
    .strictObject({
      dateRange: z.strictObject({ member: z.string().max(128), default: z.union([z.string().max(64), z.tuple([z.string(), z.string()])]).optional() }).optional(),
      pickers: z.array(z.strictObject({ member: z.string().max(128), title: z.string().max(200).optional() })).max(20).default([]),
    })
    .optional(),
});

export const ModelFileSchema = z.strictObject({
  datasets: z.record(identifier, DatasetSchema).default({}),
  dashboards: z.array(DashboardSchema).default([]),
});

export type ModelFileInput = z.output<typeof ModelFileSchema>;
export type DatasetInput = z.output<typeof DatasetSchema>;
export type MeasureInput = z.output<typeof MeasureSchema>;
export type DimensionInput = z.output<typeof DimensionSchema>;
export type MemberRuleInput = z.output<typeof MemberRuleSchema>;
export type DashboardInput = z.output<typeof DashboardSchema>;
