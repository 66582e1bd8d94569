/**
 * The built-in planner: deterministic, no network. Question → semantic query by matching member
 * names, titles and synonyms (with edit distance for misspellings), everyday verbs, time
 * expressions, ranking, thresholds, negations and filter values looked up through the
 * RLS-filtered values path.
 *
 * Its rule: every content word of the question is either used in the query or named back to the
 * user. When something cannot be expressed, it asks with concrete options and runs nothing; it
 * never answers a question with part of it silently dropped.
 */
import { STOP_WORDS, words } from './text.js';
import type { CatalogDataset } from '@perch/engine';
import type { PlanInput, PlanResult, Planner, PlannerChart } from '../planner.js';
import { extractTime, type TimeExpression } from './time-expressions.js';
import { matchMembers, type MemberMatch } from './vocabulary.js';
import { refusalFor } from './refusals.js';
import { FORECAST, ITEM_VERBS, LEADING_FILLER, MONEY_VERBS } from './lexicon.js';
import { START_OVER, sinceReset } from '../conversation-reset.js';
import { readThreshold } from './threshold.js';
import { QueryBuilder, AmbiguousValue } from './query-builder.js';
import { clarify, suggestionsFor } from './clarify.js';

/** Openings that mark a refinement of the previous question rather than a new one. */
const FOLLOW_UP = /^\s*(and|what about|how about|same|then|also|but|just|only|instead|plus|minus|without|excluding|except|now|ok|okay|break (?:it|that) down|split (?:it|that))\b/i;

function score(matches: readonly MemberMatch[], dataset: CatalogDataset, tokens: readonly string[]): number {
  const named = matches.reduce((sum, m) => sum + (m.member.kind === 'measure' ? 2 : 1) + m.quality / 10, 0);
  // "best-selling products", "what did we make": a verb of buying or paying needs a dataset that measures it.
  const verb = tokens.some((t) => MONEY_VERBS.has(t) || ITEM_VERBS.has(t));
  const measuresIt = dataset.members.some((m) => m.kind === 'measure' && /revenue|units|sales|quantity/i.test(`${m.name} ${m.title}`));
  return named + (verb && measuresIt ? 1.5 : 0);
}


/**
 * @example
 * ```ts
 * const planner = new BuiltinPlanner();
 * await planner.plan({ question: 'top 5 products by revenue this year', catalog, lookupValues, now });
 * // { kind: 'query', query: { dataset: 'orders', measures: ['revenue'], dimensions: ['product.name'],
 * //   timeDimension: { member: 'ordered_at', dateRange: 'this year' }, order: [{ member: 'revenue', direction: 'desc' }], limit: 5 } }
 * ```
 */
export class BuiltinPlanner implements Planner {
  readonly name = 'builtin' as const;

  async plan(input: PlanInput): Promise<PlanResult> {
    let history = sinceReset(input.history ?? []);
    // Possessives ("globex's revenue") read as the name alone.
    let question = input.question.replace(/['’]s\b/gi, '');
    const reset = START_OVER.exec(question);
    if (reset) {
      history = [];
      question = question.slice(reset[0].length);
      if (words(question).length === 0) return clarify('Starting over. What would you like to know?', suggestionsFor(input.catalog.datasets[0]));
    }
    const lead = LEADING_FILLER.exec(question);
    if (lead) question = question.slice(lead[0].length);
    const marked = lead !== null || FOLLOW_UP.test(question);

    const refusal = refusalFor(question);
    if (refusal) return clarify(refusal.question, refusal.options);
    const lower = question.toLowerCase();
    const forecast = FORECAST.exec(lower);
    if (forecast) {
      return clarify(
        `I can only report what has already happened in your data, so I can't answer "${forecast[0]}": the data has no forecasts, budgets or targets. I can show the history instead, for example:`,
        suggestionsFor(input.catalog.datasets[0], 'history'),
      );
    }

    const { threshold, text } = readThreshold(lower);
    const time = extractTime(text, input.now);
    const tokens = words(time.rest);
    if (time.unclear) {
      return clarify(`Which period do you mean by "${time.unclear}"? Name it directly, for example:`, ['last month', 'last quarter', 'the last 3 months', 'last year']);
    }

    const dashboardAnswer = matchDashboards(tokens, input.charts ?? [], input.catalog.datasets, time);
    if (dashboardAnswer) return dashboardAnswer;

    // The dataset whose members the question names best; ties go to the catalog's first.
    let chosen: { dataset: CatalogDataset; matches: MemberMatch[] } | undefined;
    for (const dataset of input.catalog.datasets) {
      const matches = matchMembers(tokens, dataset);
      if (!chosen || score(matches, dataset, tokens) > score(chosen.matches, chosen.dataset, tokens)) chosen = { dataset, matches };
    }
    const previous = [...history].reverse().find((turn) => turn.query)?.query;
    const namesMeasure = chosen?.matches.some((m) => m.member.kind === 'measure') ?? false;
    const followUp = previous !== undefined && (marked || !namesMeasure);
    if (followUp && previous && !namesMeasure) {
      const dataset = input.catalog.datasets.find((d) => d.name === previous.dataset);
      if (dataset) chosen = { dataset, matches: matchMembers(tokens, dataset) };
    }
    if (!chosen) return clarify("I couldn't match that to the data you can see. Try naming a measure, for example:", suggestionsFor(input.catalog.datasets[0]));
    try {
      return await new QueryBuilder(chosen.dataset, tokens, chosen.matches, time, threshold, input).build(followUp ? previous : undefined);
    } catch (error) {
      if (error instanceof AmbiguousValue) return clarify(`"${error.word}" appears in more than one field. Which did you mean?`, error.options);
      throw error;
    }
  }
}

/** A question that names a dashboard chart ("top products") gets that chart's query. */
function matchDashboards(tokens: readonly string[], charts: readonly PlannerChart[], datasets: readonly CatalogDataset[], time: TimeExpression): PlanResult | undefined {
  const content = tokens.filter((t) => !STOP_WORDS.has(t) || t === 'top').join(' ');
  if (content === '') return undefined;
  const chart = charts.find((c) => words(c.title).join(' ') === content && datasets.some((d) => d.name === c.query.dataset));
  if (!chart) return undefined;
  // A chart of one measure and nothing else is better answered by the general path (it adds time).
  if (chart.query.dimensions.length === 0 && !chart.query.timeDimension) return undefined;
  const timeMember = datasets.find((d) => d.name === chart.query.dataset)?.members.find((m) => m.type === 'time');
  const query = { ...chart.query };
  if (time.dateRange && timeMember) query.timeDimension = { ...(query.timeDimension ?? { member: timeMember.name }), dateRange: time.dateRange };
  return { kind: 'query', query, explanation: `${chart.title} (from the ${chart.dashboard} dashboard)${time.rangeLabel ? `, ${time.rangeLabel}` : ''}`, notes: time.notes };
}
