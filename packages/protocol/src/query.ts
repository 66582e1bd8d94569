import { z } from 'zod';

export const FILTER_OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'between', 'contains', 'set', 'notSet'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export const GRANULARITIES = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const QUERY_LIMITS = { maxFilterDepth: 8, maxFilters: 100, defaultLimit: 1000, maxLimit: 50_000, maxMembers: 50, maxValues: 1000 } as const;

export const MEMBER_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Member names are identifiers from the model; anything else is refused before planning. */
const memberName = z
  .string()
  .min(1)
  .max(128)
  .refine((s) => MEMBER_NAME_PATTERN.test(s), { params: { code: 'unknown_member' }, message: 'not a member name' });

export const FilterValueSchema = z.union([z.string().max(1024), z.number(), z.boolean()]);
export type FilterValue = z.output<typeof FilterValueSchema>;

export interface MemberFilter {
  member: string;
  operator: FilterOperator;
  values?: FilterValue[];
}
export interface AndFilter {
  and: Filter[];
}
export interface OrFilter {
  or: Filter[];
}
export type Filter = MemberFilter | AndFilter | OrFilter;

export const MemberFilterSchema = z.strictObject({
  member: memberName,
  operator: z.string().refine((op) => (FILTER_OPERATORS as readonly string[]).includes(op), {
    params: { code: 'unknown_operator' },
    message: 'unknown operator',
  }),
  values: z.array(FilterValueSchema).max(QUERY_LIMITS.maxValues).optional(),
});

export const FilterSchema: z.ZodType<Filter> = z.lazy(() =>
  z.union([
    MemberFilterSchema as unknown as z.ZodType<MemberFilter>,
    z.strictObject({ and: z.array(FilterSchema).max(QUERY_LIMITS.maxFilters) }),
    z.strictObject({ or: z.array(FilterSchema).max(QUERY_LIMITS.maxFilters) }),
  ]),
);

/** `"last 7 days"`, `"this month"`, `"last 12 months"`, or an explicit `[from, to]` (ISO dates). */
export const DateRangeSchema = z.union([z.string().min(1).max(64), z.tuple([z.string().max(40), z.string().max(40)])]);

export const TimeDimensionSchema = z.strictObject({
  member: memberName,
  granularity: z
    .string()
    .refine((g) => (GRANULARITIES as readonly string[]).includes(g), { params: { code: 'unknown_granularity' }, message: 'unknown granularity' })
    .optional(),
  dateRange: DateRangeSchema.optional(),
});

export const OrderSchema = z.strictObject({ member: memberName, direction: z.enum(['asc', 'desc']).default('asc') });

export const SemanticQuerySchema = z.strictObject({
  dataset: memberName,
  measures: z.array(memberName).max(QUERY_LIMITS.maxMembers).default([]),
  dimensions: z.array(memberName).max(QUERY_LIMITS.maxMembers).default([]),
  timeDimension: TimeDimensionSchema.optional(),
  filters: z.array(FilterSchema).max(QUERY_LIMITS.maxFilters).default([]),
  order: z.array(OrderSchema).max(QUERY_LIMITS.maxMembers).default([]),
  limit: z.number().int().optional(),
  offset: z.number().int().min(0).max(10_000_000).optional(),
  timezone: z.string().max(64).optional(),
  totals: z.boolean().optional(),
});
export type SemanticQueryInput = z.input<typeof SemanticQuerySchema>;
export type SemanticQuery = z.output<typeof SemanticQuerySchema>;

/** `POST /v1/query` response. */
export interface QueryResult {
  columns: Array<{ name: string; type: string; kind: 'dimension' | 'measure' | 'time' }>;
  rows: Array<Record<string, string | number | boolean | null>>;
  meta: { rowCount: number; durationMs: number; cacheHit: boolean; requestId: string; totals?: Record<string, number | null>; truncated?: boolean };
}
