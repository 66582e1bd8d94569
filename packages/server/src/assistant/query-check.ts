/**
 * Checks a planner's proposed query against what this user may see, before it reaches the
 * governed engine (which checks again, exactly as for a client's query). This layer exists to
 * give a model one precise repair hint and to refuse filter values the user cannot see.
 */
import { SemanticQuerySchema, type Filter, type SemanticQuery } from '@perch/protocol';
import type { Catalog, CatalogDataset } from '@perch/engine';
import type { LookupValues } from './planner.js';

export type QueryCheck = { ok: true; query: SemanticQuery } | { ok: false; problem: string };

const VALUE_OPERATORS = new Set(['equals', 'notEquals', 'in', 'notIn']);

function memberFilters(filters: readonly Filter[]): Array<Extract<Filter, { member: string }>> {
  return filters.flatMap((f) => ('and' in f ? memberFilters(f.and) : 'or' in f ? memberFilters(f.or) : [f]));
}

/**
 * @example
 * ```ts
 * const check = await checkPlannedQuery(toolCall.input, catalog, lookupValues);
 * if (!check.ok) repairWith(check.problem);
 * ```
 */
export async function checkPlannedQuery(candidate: unknown, catalog: Catalog, lookupValues: LookupValues): Promise<QueryCheck> {
  const parsed = SemanticQuerySchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, problem: `the query is not valid at ${issue?.path.join('.') || 'the top level'}: ${issue?.message ?? 'invalid'}` };
  }
  const query = parsed.data;
  const dataset: CatalogDataset | undefined = catalog.datasets.find((d) => d.name === query.dataset);
  if (!dataset) return { ok: false, problem: `dataset must be one of: ${catalog.datasets.map((d) => d.name).join(', ')}` };
  const members = new Map(dataset.members.map((m) => [m.name, m]));
  const named: Array<[string, string]> = [
    ...query.measures.map((m, i): [string, string] => [m, `measures[${i}]`]),
    ...query.dimensions.map((m, i): [string, string] => [m, `dimensions[${i}]`]),
    ...(query.timeDimension ? [[query.timeDimension.member, 'timeDimension.member'] as [string, string]] : []),
    ...memberFilters(query.filters).map((f, i): [string, string] => [f.member, `filters[${i}].member`]),
    ...query.order.map((o, i): [string, string] => [o.member, `order[${i}].member`]),
  ];
  for (const [name, path] of named) {
    if (!members.has(name)) return { ok: false, problem: `${path}: "${name}" is not a member of ${dataset.name}` };
  }
  for (const [i, name] of query.measures.entries()) if (members.get(name)?.kind !== 'measure') return { ok: false, problem: `measures[${i}]: "${name}" is not a measure` };
  for (const [i, name] of query.dimensions.entries()) if (members.get(name)?.kind !== 'dimension') return { ok: false, problem: `dimensions[${i}]: "${name}" is not a dimension` };
  if (query.measures.length === 0 && query.dimensions.length === 0) return { ok: false, problem: 'name at least one measure' };

  // A filter value must be one this user can already see. Values come from the RLS-filtered
  // look-up, so "customer_id = another tenant" is refused without revealing whether it exists.
  for (const filter of memberFilters(query.filters)) {
    const member = members.get(filter.member);
    if (!member || member.type !== 'string' || !VALUE_OPERATORS.has(filter.operator)) continue;
    for (const value of filter.values ?? []) {
      if (typeof value !== 'string') return { ok: false, problem: `${filter.member}: values must be text` };
      const visible = await lookupValues({ dataset: dataset.name, member: filter.member, search: value });
      if (!visible.includes(value)) return { ok: false, problem: `${filter.member}: "${value}" is not one of the values available; use a value the user can see or ask a clarifying question` };
    }
  }
  return { ok: true, query };
}
