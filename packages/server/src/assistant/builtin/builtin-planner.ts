/**
 * The built-in planner: deterministic, no network. Question → semantic query by matching member
 * names, titles and synonyms (with edit distance for misspellings), time expressions, ranking
 * ("top 5", "which … most"), and filter values looked up through the RLS-filtered values path.
 * When it cannot tell what was meant, it asks instead of guessing.
 */
import { SemanticQuerySchema, type Filter, type Granularity, type SemanticQuery, type SemanticQueryInput } from '@perch/protocol';
import type { CatalogDataset, CatalogMember } from '@perch/engine';
import type { PlanInput, PlanResult, Planner, PlannerChart } from '../planner.js';
import { extractTime, type TimeExpression } from './time-expressions.js';
import { matchMembers, type MemberMatch } from './vocabulary.js';
import { NUMBER_WORD_PATTERN, STOP_WORDS, normalizeText, parseCount, words } from './text.js';
import { refusalFor } from './refusals.js';
import { describeQuery } from '../describe-query.js';

interface Ranking {
  direction: 'asc' | 'desc';
  limit?: number;
}

const GROUP_TRIGGERS = new Set(['by', 'per', 'each', 'across', 'which', 'top', 'bottom', 'best', 'worst', 'every']);
const VALUE_PREPOSITIONS = new Set(['for', 'in', 'from', 'at']);
const NEGATIONS = new Set(['not', 'excluding', 'except', 'without', 'non', 'exclude', 'excluded']);
const VALUE_LINKS = new Set(['is', 'equals', 'of', '=']);
const FOLLOW_UP = /^\s*(and|what about|how about|now|same|then|also|ok|okay)\b/i;

function readRanking(text: string): Ranking | undefined {
  const count = `(${NUMBER_WORD_PATTERN})`;
  const top = new RegExp(`\\b(?:top|best|biggest|largest|highest)\\s+${count}\\b`).exec(text);
  if (top) return { direction: 'desc', limit: parseCount(top[1]!) ?? 10 };
  const bottom = new RegExp(`\\b(?:bottom|worst|lowest|smallest)\\s+${count}\\b`).exec(text);
  if (bottom) return { direction: 'asc', limit: parseCount(bottom[1]!) ?? 10 };
  const low = /\b(least|lowest|fewest|smallest|worst|bottom|weakest)\b/.test(text);
  const high = /\b(most|highest|best|biggest|largest|top|strongest|leading)\b/.test(text);
  if (/\b(which|what|who)\b/.test(text) && (low || high)) return { direction: low ? 'asc' : 'desc', limit: 1 };
  if (/\btop\b/.test(text)) return { direction: 'desc', limit: 10 };
  if (low) return { direction: 'asc' };
  if (high) return { direction: 'desc' };
  return undefined;
}

function clarify(question: string, options?: string[]): PlanResult {
  return options && options.length > 0 ? { kind: 'clarify', question, options } : { kind: 'clarify', question };
}

function suggestionsFor(dataset: CatalogDataset | undefined): string[] {
  if (!dataset) return [];
  const measures = dataset.members.filter((m) => m.kind === 'measure').slice(0, 2);
  const dimension = dataset.members.find((m) => m.kind === 'dimension' && m.type === 'string' && !m.name.includes('.'));
  const time = dataset.members.some((m) => m.type === 'time');
  return measures.map((m, i) => `${m.title.toLowerCase()}${i === 0 && dimension ? ` by ${dimension.title.toLowerCase()}` : ''}${time ? (i === 0 ? ' last quarter' : ' by month') : ''}`);
}

function score(matches: readonly MemberMatch[]): number {
  return matches.reduce((sum, m) => sum + (m.member.kind === 'measure' ? 2 : 1) + m.quality / 10, 0);
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
    const refusal = refusalFor(input.question);
    if (refusal) return clarify(refusal.question, refusal.options);

    const time = extractTime(input.question.toLowerCase(), input.now);
    const ranking = readRanking(normalizeText(time.rest));
    const tokens = words(time.rest);

    const dashboardAnswer = matchDashboards(tokens, input.charts ?? [], input.catalog.datasets, time);
    if (dashboardAnswer) return dashboardAnswer;

    // The dataset whose members the question names best; ties go to the catalog's first.
    let chosen: { dataset: CatalogDataset; matches: MemberMatch[] } | undefined;
    for (const dataset of input.catalog.datasets) {
      const matches = matchMembers(tokens, dataset);
      if (!chosen || score(matches) > score(chosen.matches)) chosen = { dataset, matches };
    }
    const previous = [...(input.history ?? [])].reverse().find((turn) => turn.query)?.query;
    const followUp = previous !== undefined && (FOLLOW_UP.test(input.question) || !chosen?.matches.some((m) => m.member.kind === 'measure'));
    if (followUp && previous && (!chosen || !chosen.matches.some((m) => m.member.kind === 'measure'))) {
      const dataset = input.catalog.datasets.find((d) => d.name === previous.dataset);
      if (dataset) chosen = { dataset, matches: matchMembers(tokens, dataset) };
    }
    if (!chosen || (chosen.matches.length === 0 && !(followUp && (time.dateRange || time.granularity)))) {
      return clarify("I couldn't match that to the data you can see. Try naming a measure, for example:", suggestionsFor(input.catalog.datasets[0]));
    }
    const { dataset } = chosen;
    try {
      return await new QueryBuilder(dataset, tokens, chosen.matches, time, ranking, input).build(followUp ? previous : undefined);
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
  const query: SemanticQuery = { ...chart.query };
  if (time.dateRange && timeMember) query.timeDimension = { ...(query.timeDimension ?? { member: timeMember.name }), dateRange: time.dateRange };
  return { kind: 'query', query, explanation: `${chart.title} (from the ${chart.dashboard} dashboard)${time.rangeLabel ? `, ${time.rangeLabel}` : ''}` };
}

class QueryBuilder {
  readonly #used = new Set<number>();
  readonly #measures: string[] = [];
  readonly #dimensions: string[] = [];
  readonly #filters = new Map<string, { operator: 'equals' | 'notEquals'; values: string[] }>();
  readonly #unknownValues: string[] = [];
  #timeGroup = false;
  #lookups = new Map<string, Promise<string[]>>();

  constructor(
    private readonly dataset: CatalogDataset,
    private readonly tokens: readonly string[],
    private matches: MemberMatch[],
    private readonly time: TimeExpression,
    private readonly ranking: Ranking | undefined,
    private readonly input: PlanInput,
  ) {}

  async build(previous: SemanticQuery | undefined): Promise<PlanResult> {
    await this.#valuesNextToDimensions();
    for (const match of this.matches) {
      for (let i = match.start; i < match.end; i++) this.#used.add(i);
    }
    const ambiguity = this.#assignMembers();
    if (ambiguity) return ambiguity;
    await this.#freeValues();
    if (this.#unknownValues.length > 0) {
      const filterable = this.#stringDimensions().slice(0, 6).map((m) => m.title);
      return clarify(`I couldn't find "${this.#unknownValues[0]}" among the values you can see. Which ${filterable.length ? 'of these did you mean to filter on' : 'filter did you mean'}?`, filterable);
    }

    let measures = this.#measures;
    let dimensions = this.#dimensions;
    let filters = this.#filterList();
    let timeDimension: SemanticQueryInput['timeDimension'];
    if (previous && measures.length === 0) {
      // A follow-up ("and by channel?", "what about last year?") keeps the previous question's measures.
      measures = [...previous.measures];
      if (dimensions.length === 0 && !this.time.granularity && !this.#timeGroup) dimensions = [...previous.dimensions];
      filters = [...previous.filters, ...filters];
      if (!this.time.dateRange && !this.time.granularity && previous.timeDimension) timeDimension = previous.timeDimension;
    }
    if (measures.length === 0) {
      const measureOptions = this.dataset.members.filter((m) => m.kind === 'measure').slice(0, 6).map((m) => m.title);
      const about = dimensions.length > 0 ? ` by ${dimensions.map((d) => this.#title(d)).join(' and ')}` : '';
      return clarify(`Which measure would you like to see${about}?`, measureOptions);
    }

    const timeMember = this.dataset.members.find((m) => m.type === 'time' && !m.name.includes('.'));
    if (this.time.dateRange || this.time.granularity || this.#timeGroup) {
      if (!timeMember) return clarify(`${this.dataset.title} has no date to filter or group by. Should I answer without the time period?`, ['yes']);
      const granularity: Granularity | undefined = this.time.granularity ?? (this.#timeGroup ? 'day' : undefined);
      timeDimension = { member: timeMember.name, ...(granularity ? { granularity } : {}), ...(this.time.dateRange ? { dateRange: this.time.dateRange } : {}) };
    }

    const order: NonNullable<SemanticQueryInput['order']> = [];
    let limit: number | undefined;
    const grouped = dimensions.length > 0 || timeDimension?.granularity !== undefined;
    if (this.ranking?.limit !== undefined && !grouped) {
      return clarify(`Top ${this.ranking.limit} of what? For example:`, this.#stringDimensions().slice(0, 5).map((m) => `${m.title.toLowerCase()}`));
    }
    if (this.ranking && grouped) {
      order.push({ member: measures[0]!, direction: this.ranking.direction });
      if (this.ranking.limit !== undefined) limit = this.ranking.limit;
    } else if (dimensions.length > 0 && !timeDimension?.granularity) {
      order.push({ member: measures[0]!, direction: 'desc' });
    }

    const query = SemanticQuerySchema.parse({
      dataset: this.dataset.name,
      measures,
      dimensions,
      ...(timeDimension ? { timeDimension } : {}),
      filters,
      order,
      ...(limit !== undefined ? { limit } : {}),
    } satisfies SemanticQueryInput);
    return { kind: 'query', query, explanation: describeQuery(query, this.input.catalog, this.time.rangeLabel) };
  }

  #title(name: string): string {
    return this.dataset.members.find((m) => m.name === name)?.title ?? name;
  }

  #stringDimensions(): CatalogMember[] {
    return this.dataset.members.filter((m) => m.kind === 'dimension' && m.type === 'string');
  }

  #lookup(member: string, search: string): Promise<string[]> {
    const key = `${member}\u0000${search}`;
    let pending = this.#lookups.get(key);
    if (!pending) {
      pending = this.input.lookupValues({ dataset: this.dataset.name, member, search }).catch(() => []);
      this.#lookups.set(key, pending);
    }
    return pending;
  }

  /** The longest run of tokens from `start` that equals one of `values` (normalised). */
  #valueAt(values: readonly string[], start: number): { value: string; end: number } | undefined {
    let best: { value: string; end: number } | undefined;
    for (const value of values) {
      const valueWords = words(value);
      if (valueWords.length === 0) continue;
      const slice = this.tokens.slice(start, start + valueWords.length);
      if (slice.join(' ') === valueWords.join(' ') && (!best || start + valueWords.length > best.end)) best = { value, end: start + valueWords.length };
    }
    return best;
  }

  #addFilter(member: string, value: string, negated: boolean): void {
    const existing = this.#filters.get(member);
    if (existing) {
      if (!existing.values.includes(value)) existing.values.push(value);
    } else {
      this.#filters.set(member, { operator: negated ? 'notEquals' : 'equals', values: [value] });
    }
  }

  #negatedAt(position: number): boolean {
    const before = this.tokens[position - 1];
    return before !== undefined && NEGATIONS.has(before);
  }

  /** "sales department", "channel web", "status is refunded": a value named beside its dimension. */
  async #valuesNextToDimensions(): Promise<void> {
    const consumed: MemberMatch[] = [];
    for (const match of this.matches) {
      if (match.member.kind !== 'dimension' || match.member.type !== 'string') continue;
      let after = match.end;
      while (this.tokens[after] !== undefined && VALUE_LINKS.has(this.tokens[after]!)) after++;
      for (const start of [after, match.start - 1]) {
        const word = this.tokens[start];
        if (word === undefined || STOP_WORDS.has(word) || parseCount(word) !== undefined) continue;
        const owner = this.matches.find((m) => start >= m.start && start < m.end && m !== match);
        if (owner && owner.member.kind === 'dimension') continue;
        const found = this.#valueAt(await this.#lookup(match.member.name, word), start);
        if (!found) {
          // "customer globex", "finance department": a word beside a dimension that is none of its visible values.
          if (!owner && !this.matches.some((m) => m.start === start)) this.#unknownAfter.set(start, word);
          continue;
        }
        this.#addFilter(match.member.name, found.value, this.#negatedAt(Math.min(start, match.start)));
        consumed.push(match);
        if (owner) consumed.push(owner);
        for (let i = Math.min(start, match.start); i < Math.max(found.end, match.end); i++) this.#used.add(i);
        break;
      }
    }
    this.matches = this.matches.filter((m) => !consumed.includes(m));
  }

  readonly #unknownAfter = new Map<number, string>();

  #assignMembers(): PlanResult | undefined {
    let groupChain = false;
    for (const match of this.matches) {
      const before = this.tokens.slice(Math.max(0, match.start - 2), match.start);
      const inGroup: boolean = before.some((t) => GROUP_TRIGGERS.has(t)) || (groupChain && before[before.length - 1] === 'and');
      let member = match.member;
      if (match.tied.length > 1) {
        return clarify(`"${this.tokens.slice(match.start, match.end).join(' ')}" could mean several things. Which one did you mean?`, match.tied.map((m) => m.title));
      }
      // "top customers": after a grouping word, a dimension beats a measure of the same name.
      if (member.kind === 'measure' && inGroup) member = match.alternatives.find((m) => m.kind === 'dimension') ?? member;
      if (member.kind === 'measure') {
        if (!this.#measures.includes(member.name)) this.#measures.push(member.name);
        groupChain = false;
      } else if (member.type === 'time') {
        this.#timeGroup = true;
      } else {
        if (!this.#dimensions.includes(member.name)) this.#dimensions.push(member.name);
        groupChain = inGroup || groupChain;
      }
    }
    return undefined;
  }

  /** Remaining words that are values of a visible dimension ("refunded", "EMEA", "web"). */
  async #freeValues(): Promise<void> {
    const dimensions = this.#stringDimensions();
    for (let i = 0; i < this.tokens.length; i++) {
      const word = this.tokens[i]!;
      if (this.#used.has(i) || STOP_WORDS.has(word) || parseCount(word) !== undefined || word.length < 2) continue;
      const hits: Array<{ member: CatalogMember; value: string; end: number }> = [];
      for (const member of dimensions) {
        const found = this.#valueAt(await this.#lookup(member.name, word), i);
        if (found) hits.push({ member, ...found });
      }
      if (hits.length === 0) {
        const before = this.tokens[i - 1];
        if ((before !== undefined && VALUE_PREPOSITIONS.has(before)) || this.#unknownAfter.has(i)) this.#unknownValues.push(word);
        continue;
      }
      const longest = Math.max(...hits.map((h) => h.end));
      const best = hits.filter((h) => h.end === longest);
      const own = best.filter((h) => !h.member.name.includes('.'));
      const pick = own.length > 0 ? own : best;
      // The same value in two of the dataset's own dimensions: ask rather than pick one.
      if (new Set(pick.map((h) => h.member.name)).size > 1) {
        this.#unknownValues.length = 0;
        throw new AmbiguousValue(word, pick.map((h) => h.member.title));
      }
      this.#addFilter(pick[0]!.member.name, pick[0]!.value, this.#negatedAt(i));
      for (let k = i; k < longest; k++) this.#used.add(k);
      i = longest - 1;
    }
  }

  #filterList(): Filter[] {
    return [...this.#filters.entries()].map(([member, f]) =>
      f.values.length === 1 ? { member, operator: f.operator, values: f.values } : { member, operator: f.operator === 'equals' ? 'in' : 'notIn', values: f.values },
    );
  }
}

class AmbiguousValue extends Error {
  constructor(
    readonly word: string,
    readonly options: string[],
  ) {
    super(`ambiguous value ${word}`);
  }
}
