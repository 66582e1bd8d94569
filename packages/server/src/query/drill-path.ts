/**
 * Drill-down along the model's hierarchies. A chart grouped by a dimension that is a level of one
 * of its dataset's `hierarchies` drills to the next level; a chart bucketed by time drills to the
 * next finer granularity (year → quarter → month → day, week → day). Each step the user takes
 * turns the clicked value into a filter and the next level into the chart's grouping.
 *
 * Why here and not in the browser: the drilled query is still the chart's own query from the
 * model, rewritten only along paths the model declares, so a viewer can drill but never send a
 * free query (the step's member must be the level the chart is at, checked below).
 */
import { PerchError, type Filter, type Granularity, type SemanticQueryInput } from '@perch/protocol';
import type { Model } from '@perch/engine';

/** One level of a drill path: a dimension, or a time member at a granularity. */
export interface DrillLevel {
  member: string;
  granularity?: Granularity;
}

/** A step the user took: the value clicked at the level the chart was at. */
export interface DrillStep {
  member: string;
  value: string | number | boolean;
  granularity?: Granularity | undefined;
}

const FINER: Record<Granularity, Granularity[]> = {
  year: ['quarter', 'month', 'day'],
  quarter: ['month', 'day'],
  month: ['day'],
  week: ['day'],
  day: [],
};

/** The level a chart query is at: its time bucket when it has one, else its first dimension. */
function ownLevel(query: SemanticQueryInput): DrillLevel | undefined {
  const time = query.timeDimension;
  if (time?.granularity) return { member: time.member, granularity: time.granularity as Granularity };
  const dimension = query.dimensions?.[0];
  return dimension === undefined ? undefined : { member: dimension };
}

/**
 * The levels below a chart's own, in drill order; empty when the chart cannot drill.
 *
 * @example
 * drillLevels(model, { dataset: 'orders', measures: ['revenue'], dimensions: ['region'] })
 * // [{ member: 'customer.country' }]   (with `hierarchies: { geography: [region, customer.country] }`)
 */
export function drillLevels(model: Model, query: SemanticQueryInput): DrillLevel[] {
  const own = ownLevel(query);
  if (!own) return [];
  if (own.granularity) return FINER[own.granularity].map((granularity) => ({ member: own.member, granularity }));
  for (const levels of model.datasets.get(query.dataset)?.hierarchies.values() ?? []) {
    const index = levels.indexOf(own.member);
    if (index >= 0) return levels.slice(index + 1).map((member) => ({ member }));
  }
  return [];
}

/**
 * The chart's query drilled by `steps`: each step's value filters its level and the chart moves to
 * the next level. Returns a new query; `query` is not changed.
 *
 * @throws PerchError `invalid_request` (more steps than the path has, or a step not at the level
 *   the chart is at), `invalid_filter_value` (a time step whose value is not a bucket's first day).
 */
export function applyDrill(model: Model, query: SemanticQueryInput, steps: readonly DrillStep[], timeFilter: (member: string, value: unknown, granularity: Granularity, path: string) => Filter[]): SemanticQueryInput {
  if (steps.length === 0) return query;
  const own = ownLevel(query);
  const path = own ? [own, ...drillLevels(model, query)] : [];
  if (steps.length >= path.length) throw new PerchError('invalid_request', { path: 'drill', message: `drill: this chart drills ${Math.max(0, path.length - 1)} level(s) down` });
  const filters: Filter[] = [...((query.filters ?? []) as Filter[])];
  steps.forEach((step, index) => {
    const level = path[index]!;
    if (step.member !== level.member || step.granularity !== level.granularity) {
      throw new PerchError('invalid_request', { path: `drill[${index}].member`, message: `drill[${index}].member: the chart is at another level` });
    }
    if (level.granularity) filters.push(...timeFilter(level.member, step.value, level.granularity, `drill[${index}].value`));
    else filters.push({ member: level.member, operator: 'equals', values: [step.value] });
  });
  const target = path[steps.length]!;
  const drilled: SemanticQueryInput = { ...query, filters };
  if (target.granularity) {
    drilled.timeDimension = { ...query.timeDimension!, granularity: target.granularity };
  } else {
    const from = own!.member;
    drilled.dimensions = (query.dimensions ?? []).map((d) => (d === from ? target.member : d));
    // An order on the level the chart left would name a member no longer in the query.
    if (query.order) drilled.order = query.order.filter((o) => o.member !== from);
  }
  return drilled;
}
