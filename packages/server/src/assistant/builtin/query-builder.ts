/**
 * One question's words → a semantic query, or a clarification. Every token ends up in one of
 * three places: used by the query (a member, a value, a time phrase, a ranking, a verb…), known
 * to carry no meaning (stop and filler words), or named back to the user. That last case never
 * runs a query: a part of the question that was not understood is never silently dropped.
 */
import { SemanticQuerySchema, type Filter, type Granularity, type SemanticQuery, type SemanticQueryInput } from '@perch/protocol';
import type { CatalogDataset, CatalogMember } from '@perch/engine';
import type { PlanInput, PlanResult } from '../planner.js';
import type { TimeExpression } from './time-expressions.js';
import type { MemberMatch } from './vocabulary.js';
import { STOP_WORDS, parseCount, singular, words } from './text.js';
import {
  AVERAGE_WORDS,
  BUSY_WORDS,
  COMPARE_WORDS,
  FILLER,
  ITEM_VERBS,
  MONEY_VERBS,
  NEGATIONS,
  HIGH_WORDS,
  LOW_WORDS,
  NOT_ORGANISATION,
  ORGANISATION_NOUNS,
  ORGANISATION_WORDS,
  POSTFIX_NEGATIONS,
  SHARE_WORDS,
  TREND_WORDS,
  VERB_PARTICLES,
} from './lexicon.js';
import { readRanking, type Ranking } from './ranking.js';
import type { Threshold } from './threshold.js';
import { clarify } from './clarify.js';
import { describeQuery } from '../describe-query.js';
import { displayTitle } from '../titles.js';

const GROUP_TRIGGERS = new Set(['by', 'per', 'each', 'across', 'which', 'top', 'bottom', 'best', 'worst', 'every', 'between', 'among', 'what']);
const VALUE_LINKS = new Set(['is', 'equals', 'of', '=', 'was']);
/** Words that end the reach of a negation: a new breakdown or a new request starts there. */
const SCOPE_BREAKS = new Set(['by', 'per', 'each', 'across', 'only', 'just', 'which', 'what', 'show', 'where', 'but', 'then', 'also', 'plus']);
const ORGANISATION_PREPOSITIONS = new Set(['for', 'of', 'at', 'from']);
/** "how many orders did globex place", "what did hooli pay": the verb's subject. */
const SUBJECT_MARKERS = new Set(['did', 'does', 'do', 'has', 'have', 'had']);

export class AmbiguousValue extends Error {
  constructor(
    readonly word: string,
    readonly options: string[],
  ) {
    super(`ambiguous value ${word}`);
  }
}

interface PendingFilter {
  member: string;
  negated: boolean;
  values: string[];
}

/** A share asked for ("what fraction of revenue comes from EMEA"): the rows to set against the total. */
export interface ShareFocus {
  member: string;
  values: string[];
}

export class QueryBuilder {
  readonly #used = new Set<number>();
  readonly #measures: string[] = [];
  readonly #dimensions: Array<{ name: string; grouped: boolean }> = [];
  readonly #filters: PendingFilter[] = [];
  /** Words beside a dimension that are none of its visible values ("finance department"). */
  readonly #missesBeside = new Map<number, MemberMatch>();
  readonly #measurePositions = new Set<number>();
  /** Where filter values stand, so "refunded orders" reads "orders" as the rows, not a second measure. */
  readonly #valueEnds = new Set<number>();
  #timeGroup: Granularity | undefined;
  readonly #lookups = new Map<string, Promise<string[]>>();
  readonly #ranking: Ranking | undefined;

  constructor(
    private readonly dataset: CatalogDataset,
    private readonly tokens: readonly string[],
    private matches: MemberMatch[],
    private readonly time: TimeExpression,
    private readonly threshold: Threshold | undefined,
    private readonly input: PlanInput,
  ) {
    this.#ranking = readRanking(tokens);
    for (const m of matches) if (m.member.kind === 'measure') for (let i = m.start; i < m.end; i++) this.#measurePositions.add(i);
  }

  async build(previous: SemanticQuery | undefined): Promise<PlanResult> {
    await this.#valuesNextToDimensions();
    for (const match of this.matches) for (let i = match.start; i < match.end; i++) this.#used.add(i);
    const ambiguity = this.#assignMembers();
    if (ambiguity) return ambiguity;
    await this.#freeValues();
    this.#readVerbs();
    this.#readAverage();
    const flags = this.#readLexicon();
    this.#rowNouns();

    const notes = [...this.time.notes];
    const unknown = await this.#uncovered(notes);
    if (unknown) return unknown;

    let measures = [...this.#measures];
    let dimensions = this.#dimensions.filter((d) => d.grouped || !this.#filters.some((f) => f.member === d.name)).map((d) => d.name);
    let pending = this.#pendingFilters();
    let share: ShareFocus | undefined;

    // "store compared with web": the compared values side by side, not summed into one number.
    if (flags.compare) {
      const compared = pending.find((f) => !f.negated && f.values.length >= 2);
      if (compared && !dimensions.includes(compared.member)) dimensions = [compared.member, ...dimensions];
    }
    // "what fraction of revenue comes from EMEA": every row is needed for the denominator.
    if (flags.share) {
      const part = pending.find((f) => !f.negated);
      if (part) {
        pending = pending.filter((f) => f !== part);
        if (!dimensions.includes(part.member)) dimensions = [part.member, ...dimensions];
        share = { member: part.member, values: part.values };
      } else if (dimensions.length > 0) {
        share = { member: dimensions[0]!, values: [] };
      } else {
        return clarify('A share of what? Name the part to compare with the whole, for example:', this.#examples(measures, 'share'));
      }
    }

    let filters: Filter[] = previous ? mergeFilters(previous.filters, pending) : pending.map(({ negated: _negated, ...filter }) => filter);
    let timeDimension: SemanticQueryInput['timeDimension'];
    let order: NonNullable<SemanticQueryInput['order']> = [];
    let limit: number | undefined;
    const timeMember = this.dataset.members.find((m) => m.type === 'time' && !m.name.includes('.'));
    const granularity: Granularity | undefined = this.time.granularity ?? this.#timeGroup;
    if (previous) {
      // A follow-up refines the previous question: what it does not name, it keeps.
      if (measures.length === 0) measures = [...previous.measures];
      if (dimensions.length === 0 && !granularity) dimensions = [...previous.dimensions];
      if (!this.#ranking && previous.order.length > 0 && previous.dimensions.join() === dimensions.join()) {
        const swapped = previous.order.map((o) => (previous.measures.includes(o.member) && !measures.includes(o.member) ? { ...o, member: measures[0]! } : o));
        order = swapped.filter((o) => measures.includes(o.member) || dimensions.includes(o.member));
        if (previous.limit !== undefined && order.length > 0) limit = previous.limit;
      }
    }
    if (measures.length === 0) {
      const measureOptions = this.dataset.members.filter((m) => m.kind === 'measure').slice(0, 6).map((m) => displayTitle(m));
      const about = dimensions.length > 0 ? ` by ${dimensions.map((d) => this.#title(d)).join(' and ')}` : '';
      return clarify(`Which measure would you like to see${about}?`, measureOptions);
    }

    let grain = granularity;
    let range = this.time.dateRange;
    const previousTime = previous?.timeDimension;
    if (previousTime && !this.time.periods) {
      // The previous grain stays while the breakdown stays; the previous period stays unless replaced.
      if (!grain && dimensions.join() === previous!.dimensions.join()) grain = previousTime.granularity as Granularity | undefined;
      range ??= previousTime.dateRange;
    }
    if (range || grain) {
      if (!timeMember) return clarify(`${this.dataset.title} has no date to filter or group by. Should I answer without the time period?`, ['yes']);
      timeDimension = { member: timeMember.name, ...(grain ? { granularity: grain } : {}), ...(range ? { dateRange: range } : {}) };
    }
    if (this.time.periods && timeMember) {
      // Like for like: only the two compared stretches, not everything between them.
      filters.push({ or: this.time.periods.map(([from, to]) => ({ and: [{ member: timeMember.name, operator: 'gte' as const, values: [from] }, { member: timeMember.name, operator: 'lt' as const, values: [to] }] })) });
    }

    const grouped = dimensions.length > 0 || timeDimension?.granularity !== undefined;
    if (this.threshold) {
      if (!grouped) {
        return clarify(
          `I can't apply "${this.threshold.text}" to single ${this.dataset.title.toLowerCase()}: the data adds amounts up before comparing them. I can show the groups with ${this.#title(measures[0]!).toLowerCase()} ${this.threshold.text}, for example:`,
          this.#stringDimensions().slice(0, 4).map((d) => `${this.#title(measures[0]!).toLowerCase()} by ${displayTitle(d).toLowerCase()} ${this.threshold!.text}`),
        );
      }
      filters.push({ member: measures[0]!, operator: this.threshold.operator, values: [this.threshold.value] });
    }
    const ranking = this.#ranking;
    if (ranking?.limit !== undefined && !grouped) {
      const measure = this.#title(measures[0]!).toLowerCase();
      const word = ranking.direction === 'desc' ? 'most' : 'least';
      return ranking.fromWhich || ranking.limit === 1
        ? clarify(`Which of these has the ${word} ${measure}? For example:`, this.#stringDimensions().slice(0, 5).map((m) => `which ${displayTitle(m).toLowerCase()} has the ${word} ${measure}`))
        : clarify(`Top ${ranking.limit} of what? For example:`, this.#stringDimensions().slice(0, 5).map((m) => `top ${ranking.limit} ${displayTitle(m).toLowerCase()} by ${measure}`));
    }
    if (ranking && grouped) {
      order = [{ member: measures[0]!, direction: ranking.direction }];
      // "which customers spent the most": a plural noun asks for the ranked list, not one row.
      if (ranking.fromWhich && this.#pluralAfterWhich()) {
        limit = previous?.limit;
        return this.#finish(measures, dimensions, timeDimension, filters, order, limit, notes, share);
      }
      // "the poorest-selling category", "best month": one thing asked for, one row answered.
      limit = ranking.limit ?? (this.#singularRanked() ? 1 : previous?.limit !== undefined && previous.order.length > 0 ? previous.limit : undefined);
    } else if (order.length === 0 && dimensions.length > 0 && !timeDimension?.granularity) {
      order = [{ member: measures[0]!, direction: 'desc' }];
    }

    return this.#finish(measures, dimensions, timeDimension, filters, order, limit, notes, share);
  }

  #finish(
    measures: string[],
    dimensions: string[],
    timeDimension: SemanticQueryInput['timeDimension'],
    filters: Filter[],
    order: NonNullable<SemanticQueryInput['order']>,
    limit: number | undefined,
    notes: string[],
    share: ShareFocus | undefined,
  ): PlanResult {
    const query = SemanticQuerySchema.parse({
      dataset: this.dataset.name,
      measures,
      dimensions,
      ...(timeDimension ? { timeDimension } : {}),
      filters,
      order,
      ...(limit !== undefined ? { limit } : {}),
    } satisfies SemanticQueryInput);
    return {
      kind: 'query',
      query,
      explanation: describeQuery(query, this.input.catalog, this.time.rangeLabel),
      ...(notes.length > 0 ? { notes } : {}),
      ...(share ? { share } : {}),
      ...(this.time.rangeLabel ? { rangeLabel: this.time.rangeLabel } : {}),
      ...(this.time.periods ? { comparison: true } : {}),
    };
  }

  #format(name: string): string | undefined {
    return (this.dataset.members.find((m) => m.name === name) as { format?: string } | undefined)?.format;
  }

  #title(name: string): string {
    const member = this.dataset.members.find((m) => m.name === name);
    return member ? displayTitle(member) : name;
  }

  #stringDimensions(): CatalogMember[] {
    return this.dataset.members.filter((m) => m.kind === 'dimension' && m.type === 'string');
  }

  #examples(measures: string[], kind: 'share'): string[] {
    const measure = this.#title(measures[0] ?? this.dataset.members.find((m) => m.kind === 'measure')?.name ?? '').toLowerCase();
    return this.#stringDimensions()
      .slice(0, 3)
      .map((d) => (kind === 'share' ? `share of ${measure} by ${displayTitle(d).toLowerCase()}` : `${measure} by ${displayTitle(d).toLowerCase()}`));
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
    const existing = this.#filters.find((f) => f.member === member && f.negated === negated);
    if (existing) {
      if (!existing.values.includes(value)) existing.values.push(value);
    } else {
      this.#filters.push({ member, negated, values: [value] });
    }
  }

  /**
   * Whether the value at [start, end) is excluded. A negation counts wherever it stands before the
   * value in the same clause ("ignoring refunded orders", "all regions apart from APAC"), or right
   * after it ("refunded excluded"). A measure or a new breakdown ends its reach.
   */
  #negated(start: number, end: number): boolean {
    const after = this.tokens[end];
    if (after !== undefined && POSTFIX_NEGATIONS.has(after) && after !== 'out') {
      this.#used.add(end);
      return true;
    }
    if ((after === 'left' || after === 'filtered' || after === 'taken') && this.tokens[end + 1] === 'out') {
      this.#used.add(end);
      this.#used.add(end + 1);
      return true;
    }
    for (let i = start - 1; i >= 0; i--) {
      const t = this.tokens[i]!;
      // "but" and "no" negate only what directly follows them ("all regions but APAC", "no refunded").
      if ((t === 'but' || t === 'no') && i === start - 1) return true;
      if (NEGATIONS.has(t) && t !== 'but' && t !== 'no') return true;
      if (t === 'than' && this.tokens[i - 1] === 'other') return true;
      if (SCOPE_BREAKS.has(t) || this.#measurePositions.has(i)) return false;
    }
    return false;
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
        if (word === undefined || STOP_WORDS.has(word) || FILLER.has(word) || parseCount(word) !== undefined || isLexicon(word)) continue;
        const owner = this.matches.find((m) => start >= m.start && start < m.end && m !== match);
        if (owner && owner.member.kind === 'dimension') continue;
        const found = this.#valueAt(await this.#lookup(match.member.name, word), start);
        if (!found) {
          if (!owner && !this.matches.some((m) => m.start === start)) this.#missesBeside.set(start, match);
          continue;
        }
        const from = Math.min(start, match.start);
        const to = Math.max(found.end, match.end);
        this.#addFilter(match.member.name, found.value, this.#negated(from, to));
        this.#valueEnds.add(to);
        consumed.push(match);
        if (owner) consumed.push(owner);
        for (let i = from; i < to; i++) this.#used.add(i);
        break;
      }
    }
    this.matches = this.matches.filter((m) => !consumed.includes(m));
  }

  #assignMembers(): PlanResult | undefined {
    let groupChain = false;
    for (const match of this.matches) {
      const before = this.tokens.slice(Math.max(0, match.start - 2), match.start);
      const inGroup: boolean = before.some((t) => GROUP_TRIGGERS.has(t)) || (groupChain && before[before.length - 1] === 'and') || this.#ranking !== undefined;
      let member = match.member;
      if (match.tied.length > 1) {
        return clarify(`"${this.tokens.slice(match.start, match.end).join(' ')}" could mean several things. Which one did you mean?`, match.tied.map((m) => displayTitle(m)));
      }
      // "top customers": after a grouping word, a dimension beats a measure of the same name.
      const ranked = before.some((t) => GROUP_TRIGGERS.has(t) || HIGH_WORDS.has(t) || LOW_WORDS.has(t) || parseCount(t) !== undefined);
      if (member.kind === 'measure' && inGroup && ranked) member = match.alternatives.find((m) => m.kind === 'dimension') ?? member;
      if (member.kind === 'measure') {
        if (!this.#measures.includes(member.name)) this.#measures.push(member.name);
        groupChain = false;
      } else if (member.type === 'time') {
        this.#timeGroup ??= 'day';
      } else if (!this.#dimensions.some((d) => d.name === member.name)) {
        this.#dimensions.push({ name: member.name, grouped: inGroup || groupChain || !this.#filtersMember(member.name) });
        groupChain = inGroup || groupChain;
      }
    }
    return undefined;
  }

  /** "which customers …" (a list) rather than "which customer …" (one). */
  #pluralAfterWhich(): boolean {
    const asked = this.matches.find((m) => ['which', 'what'].includes(this.tokens[m.start - 1] ?? '') && (m.member.kind === 'dimension' || m.alternatives.some((a) => a.kind === 'dimension')));
    if (!asked) return false;
    const word = this.tokens[asked.end - 1]!;
    return singular(word) !== word;
  }

  /** A superlative right before a singular dimension or grain ("the weakest region", "best month"). */
  #singularRanked(): boolean {
    if (this.time.rankedGrain) return this.time.rankedGrain === 'one';
    const positions = this.#ranking?.positions ?? [];
    return this.matches.some((m) => {
      if (m.member.kind !== 'dimension') return false;
      const word = this.tokens[m.end - 1]!;
      return singular(word) === word && positions.some((p) => m.start - p >= 1 && m.start - p <= 2);
    });
  }

  #filtersMember(member: string): boolean {
    return this.#filters.some((f) => f.member === member);
  }

  /** Remaining words that are values of a visible dimension ("refunded", "EMEA", "web"). */
  async #freeValues(): Promise<void> {
    const dimensions = this.#stringDimensions();
    for (let i = 0; i < this.tokens.length; i++) {
      const word = this.tokens[i]!;
      if (this.#used.has(i) || STOP_WORDS.has(word) || FILLER.has(word) || isLexicon(word) || parseCount(word) !== undefined || word.length < 2) continue;
      const hits: Array<{ member: CatalogMember; value: string; end: number }> = [];
      for (const member of dimensions) {
        const found = this.#valueAt(await this.#lookup(member.name, word), i);
        if (found) hits.push({ member, ...found });
      }
      if (hits.length === 0) continue;
      const longest = Math.max(...hits.map((h) => h.end));
      const best = hits.filter((h) => h.end === longest);
      const own = best.filter((h) => !h.member.name.includes('.'));
      const pick = own.length > 0 ? own : best;
      // The same value in two of the dataset's own dimensions: ask rather than pick one.
      if (new Set(pick.map((h) => h.member.name)).size > 1) throw new AmbiguousValue(word, pick.map((h) => displayTitle(h.member)));
      this.#addFilter(pick[0]!.member.name, pick[0]!.value, this.#negated(i, longest));
      this.#valueEnds.add(longest);
      // A dimension named only as the subject of this filter ("all regions apart from APAC") is not a breakdown.
      const subject = this.#dimensions.find((d) => d.name === pick[0]!.member.name);
      if (subject && !this.#groupedByWord(subject.name)) subject.grouped = false;
      for (let k = i; k < longest; k++) this.#used.add(k);
      i = longest - 1;
    }
  }

  #groupedByWord(member: string): boolean {
    const match = this.matches.find((m) => m.member.name === member);
    if (!match) return false;
    const before = this.tokens.slice(Math.max(0, match.start - 2), match.start);
    return before.some((t) => GROUP_TRIGGERS.has(t));
  }

  /**
   * "refunded orders", "web orders last month": the dataset's own count measure right after a value
   * names the rows being filtered. When another measure is asked for, it is not a second measure.
   */
  #rowNouns(): void {
    if (this.#measures.length < 2) return;
    for (const match of this.matches) {
      if (match.member.kind !== 'measure' || !this.#valueEnds.has(match.start)) continue;
      if (match.member.title.toLowerCase() !== this.dataset.title.toLowerCase()) continue;
      const index = this.#measures.indexOf(match.member.name);
      if (index >= 0 && this.#measures.length > 1) this.#measures.splice(index, 1);
    }
  }

  /** "how much did we make", "units purchased", "best-selling products": verbs that name a measure. */
  #readVerbs(): void {
    let money = false;
    let items = false;
    this.tokens.forEach((t, i) => {
      if (MONEY_VERBS.has(t)) {
        money = true;
        this.#used.add(i);
        if (VERB_PARTICLES.has(this.tokens[i + 1] ?? '')) this.#used.add(i + 1);
      } else if (ITEM_VERBS.has(t) || (t === 'popular' && this.#measures.length === 0)) {
        items = true;
        this.#used.add(i);
      }
    });
    const howMuch = this.tokens.some((t, i) => t === 'how' && this.tokens[i + 1] === 'much');
    const howMany = this.tokens.some((t, i) => t === 'how' && this.tokens[i + 1] === 'many');
    const busy = this.tokens.findIndex((t) => BUSY_WORDS.has(t));
    if (busy >= 0 && this.#measures.length === 0 && !money && !items) {
      // "the busiest week": activity is the count of the dataset's rows.
      const count = this.dataset.members.find((m) => m.kind === 'measure' && m.title.toLowerCase() === this.dataset.title.toLowerCase());
      if (count) {
        this.#measures.push(count.name);
        this.#used.add(busy);
      }
      return;
    }
    // "how much did customers spend": the people measure is the verb's subject; the verb names money.
    if ((money || howMuch) && !howMany && this.#measures.length > 0 && this.#measures.every((name) => this.#format(name) !== 'currency')) {
      const subjectOnly = this.matches.filter((m) => m.member.kind === 'measure').every((m) => MONEY_VERBS.has(this.tokens[m.end] ?? '') || ITEM_VERBS.has(this.tokens[m.end] ?? ''));
      if (subjectOnly && (money || items)) this.#measures.length = 0;
    }
    if (this.#measures.length > 0 || (!money && !items)) return;
    // "how much did we sell" is money; "how many did we sell" is items.
    const wanted = money || howMuch ? ['revenue', 'sales', 'income', 'turnover'] : ['units', 'quantity', 'items', 'volume'];
    const measure = this.dataset.members.find((m) => m.kind === 'measure' && [m.name, m.title.toLowerCase(), ...m.synonyms].some((n) => wanted.some((w) => n.toLowerCase().includes(w))));
    if (measure) this.#measures.push(measure.name);
  }

  /**
   * "average revenue per order", "average sales per order": the catalog's measure that is that
   * average, when there is one. A currency average stands only for currency measures ("average
   * units per order" is not average order value), and the "per …" measure is its denominator.
   */
  #readAverage(): void {
    const per = this.tokens.findIndex((t, i) => (t === 'per' || t === 'each' || t === 'an' || t === 'a') && this.matches.some((m) => m.start === i + 1 && m.member.kind === 'measure'));
    if (per < 0) return;
    const entityMatch = this.matches.find((m) => m.start === per + 1)!;
    const entity = singular(this.tokens[per + 1]!);
    const averages = this.dataset.members.filter((m) => m.kind === 'measure' && /\baverage\b/i.test(m.title) && words(m.title).includes(entity));
    const named = this.#measures.filter((m) => m !== entityMatch.member.name);
    const existing = named.find((m) => averages.some((a) => a.name === m));
    const averageWord = this.tokens.findIndex((t, i) => AVERAGE_WORDS.has(t) && !this.#used.has(i));
    let pick = existing ? averages.find((a) => a.name === existing) : undefined;
    if (!pick && averageWord >= 0) {
      const others = named.filter((m) => !averages.some((a) => a.name === m));
      pick = averages.find((a) => others.length > 0 && others.every((m) => this.#format(m) === (a as { format?: string }).format));
    }
    if (!pick) return;
    this.#measures.length = 0;
    this.#measures.push(pick.name);
    if (averageWord >= 0) this.#used.add(averageWord);
    this.#used.add(per);
    for (let i = entityMatch.start; i < entityMatch.end; i++) this.#used.add(i);
  }

  /** Lexicon words that shape the query without naming a member: negations, comparisons, shares, trends. */
  #readLexicon(): { compare: boolean; share: boolean } {
    let compare = false;
    let share = false;
    const negatedValues = this.#filters.some((f) => f.negated);
    this.tokens.forEach((t, i) => {
      if (this.#used.has(i)) return;
      if (COMPARE_WORDS.has(t)) {
        compare = true;
        this.#used.add(i);
      } else if (SHARE_WORDS.has(t)) {
        share = true;
        this.#used.add(i);
      } else if (TREND_WORDS.has(t)) {
        this.#timeGroup ??= 'month';
        this.#used.add(i);
      } else if (NEGATIONS.has(t) && (negatedValues || t === 'but' || t === 'no' || t === 'apart' || t === 'besides')) {
        // A negation that excluded something is used; one that excluded nothing is reported below.
        if (negatedValues) this.#used.add(i);
      } else if (this.#ranking?.positions.includes(i)) {
        this.#used.add(i);
      }
    });
    // "selling", "popular": ranking adjectives' companions when a measure came from them.
    return { compare, share };
  }

  /**
   * Words neither used nor meaningless. Another organisation's name gets the plain answer that
   * only the user's own organisation is visible (and the query runs on it); anything else is
   * asked back, and nothing runs.
   */
  async #uncovered(notes: string[]): Promise<PlanResult | undefined> {
    const unknown: number[] = [];
    for (let i = 0; i < this.tokens.length; i++) {
      const t = this.tokens[i]!;
      if (this.#used.has(i) || STOP_WORDS.has(t) || FILLER.has(t)) continue;
      if (NEGATIONS.has(t) && (t === 'but' || t === 'no')) continue;
      unknown.push(i);
    }
    if (unknown.length === 0) return undefined;

    const negation = unknown.find((i) => NEGATIONS.has(this.tokens[i]!));
    if (negation !== undefined) {
      const word = this.tokens[negation]!;
      const filterable = this.#stringDimensions().slice(0, 4).map((d) => displayTitle(d));
      return clarify(`I understood "${word}" as leaving something out, but not what. Which values should I exclude? You can exclude values of:`, filterable);
    }

    const organisation = this.#organisationDimension();
    const organisations: number[] = [];
    const others: number[] = [];
    for (const i of unknown) (this.#looksLikeOrganisation(i, organisation) ? organisations : others).push(i);
    // Names of several words ("umbrella corp", "stark industries"): neighbours of a name belong to it.
    for (let changed = true; changed; ) {
      changed = false;
      for (let k = others.length - 1; k >= 0; k--) {
        const i = others[k]!;
        const word = this.tokens[i]!;
        if (NOT_ORGANISATION.has(word) || this.#missesBeside.has(i)) continue;
        if (organisations.includes(i + 1) || organisations.includes(i - 1)) {
          organisations.push(i);
          others.splice(k, 1);
          changed = true;
        }
      }
    }

    if (others.length === 0 && organisation) {
      const visible = await this.#lookup(organisation.name, '');
      if (visible.length === 1) {
        // Said first and plainly: the answer below is the user's own organisation's, not the one named.
        notes.unshift(`You can only see data for ${visible[0]}; here is yours.`);
        for (const i of organisations) {
          const beside = this.#missesBeside.get(i);
          if (beside) this.#dropDimension(beside.member.name);
        }
        return undefined;
      }
      return clarify(`I couldn't find "${this.tokens[organisations[0]!]}" among the ${displayTitle(organisation).toLowerCase()} values you can see. Did you mean one of these?`, visible.slice(0, 6));
    }

    const first = others[0]!;
    // Every word not understood is named, not only the first.
    const alsoNot = (named: string) => {
      const rest = [...new Set([...others, ...organisations].map((i) => this.tokens[i]!).filter((w) => !named.split(' ').includes(w)))];
      return rest.length > 0 ? ` I also didn't understand ${rest.map((w) => `"${w}"`).join(', ')}.` : '';
    };
    const beside = this.#missesBeside.get(first);
    if (beside) {
      const visible = await this.#lookup(beside.member.name, '');
      const phrase = this.tokens.slice(Math.min(beside.start, first), Math.max(beside.end, first + 1)).join(' ');
      return clarify(
        `I couldn't match "${phrase}": your data has no field by that name, and "${this.tokens[first]}" is not a ${displayTitle(beside.member)} you can see, so I haven't run anything.${alsoNot(phrase)}${visible.length ? ` The ${displayTitle(beside.member)} values you can see are:` : ''}`,
        visible.slice(0, 6),
      );
    }
    const phrase = this.#phraseAround(first);
    return clarify(
      `I don't know what "${phrase}" means in your data, so I haven't run anything.${alsoNot(phrase)} Your data has ${this.#measureList()}, broken down by ${this.#dimensionList()}. For example:`,
      this.#examples(this.#measures, 'share').map((s) => s.replace(/^share of /, '')),
    );
  }

  #dropDimension(name: string): void {
    const index = this.#dimensions.findIndex((d) => d.name === name);
    if (index >= 0) this.#dimensions.splice(index, 1);
  }

  /** The unknown word with the matched words right beside it: "account manager", not just "manager". */
  #phraseAround(position: number): string {
    let start = position;
    let end = position + 1;
    const match = this.matches.find((m) => m.end === position || m.start === position + 1);
    if (match) {
      start = Math.min(start, match.start);
      end = Math.max(end, match.end);
    }
    return this.tokens.slice(start, end).join(' ');
  }

  #measureList(): string {
    return this.dataset.members.filter((m) => m.kind === 'measure').slice(0, 4).map((m) => displayTitle(m).toLowerCase()).join(', ');
  }

  #dimensionList(): string {
    return this.#stringDimensions().slice(0, 5).map((m) => displayTitle(m).toLowerCase()).join(', ');
  }

  /** The dimension that names the organisation (a string dimension called company, customer, account…). */
  #organisationDimension(): CatalogMember | undefined {
    const candidates = this.#stringDimensions().filter((m) => [...words(m.title), ...m.synonyms.flatMap((s) => words(s))].some((w) => ORGANISATION_WORDS.has(w)));
    return candidates.find((m) => /(^|\.)name$/.test(m.name)) ?? candidates[0];
  }

  /**
   * Whether an unknown word reads as an organisation's name: after "for/of/at/from" or a subject
   * verb ("did globex pay"), after an explicit noun ("the company globex"), or right before the
   * first measure named ("globex revenue"). Never a word that is a known modifier ("net", "large").
   */
  #looksLikeOrganisation(i: number, organisation: CatalogMember | undefined): boolean {
    const word = this.tokens[i]!;
    if (!organisation || NOT_ORGANISATION.has(word) || isLexicon(word) || /\d/.test(word)) return false;
    const beside = this.#missesBeside.get(i);
    if (beside) return beside.start < i && ORGANISATION_NOUNS.has(this.tokens[beside.end - 1]!);
    const before = this.tokens[i - 1];
    const after = this.tokens[i + 1];
    if (before !== undefined && (ORGANISATION_PREPOSITIONS.has(before) || SUBJECT_MARKERS.has(before) || ORGANISATION_NOUNS.has(before))) return true;
    if (after !== undefined && ORGANISATION_WORDS.has(after) && !this.matches.some((m) => m.start === i + 1 && m.member.kind === 'dimension')) return true;
    const firstMeasure = Math.min(...[...this.#measurePositions]);
    return this.#measurePositions.has(i + 1) && i + 1 === firstMeasure;
  }

  #pendingFilters(): Array<Filter & { negated: boolean; member: string; values: string[] }> {
    return this.#filters.map((f) => ({
      member: f.member,
      operator: f.values.length === 1 ? (f.negated ? 'notEquals' : 'equals') : f.negated ? 'notIn' : 'in',
      values: [...f.values],
      negated: f.negated,
    }));
  }
}

function isLexicon(word: string): boolean {
  return MONEY_VERBS.has(word) || ITEM_VERBS.has(word) || NEGATIONS.has(word) || COMPARE_WORDS.has(word) || SHARE_WORDS.has(word) || TREND_WORDS.has(word) || AVERAGE_WORDS.has(word);
}

/**
 * A follow-up's filters over the previous ones: a new condition on a member replaces the old one
 * on that member; an exclusion of a value the previous question included removes it instead.
 */
export function mergeFilters(previous: readonly Filter[], next: ReadonlyArray<Filter & { negated?: boolean }>): Filter[] {
  const out: Filter[] = previous.map((f) => f);
  for (const filter of next) {
    const { negated, ...clean } = filter as Filter & { negated?: boolean };
    if (!('member' in clean)) {
      out.push(clean);
      continue;
    }
    const sameMember = out.findIndex((f) => 'member' in f && f.member === clean.member);
    const old = sameMember >= 0 ? (out[sameMember] as Extract<Filter, { member: string }>) : undefined;
    if (negated && old && (old.operator === 'in' || old.operator === 'equals')) {
      const kept = (old.values ?? []).filter((v) => !(clean.values ?? []).includes(v));
      if (kept.length > 0) {
        out[sameMember] = { member: old.member, operator: kept.length === 1 ? 'equals' : 'in', values: kept };
        continue;
      }
    }
    if (negated && old && (old.operator === 'notIn' || old.operator === 'notEquals')) {
      const values = [...new Set([...(old.values ?? []), ...(clean.values ?? [])])];
      out[sameMember] = { member: old.member, operator: values.length === 1 ? 'notEquals' : 'notIn', values };
      continue;
    }
    if (sameMember >= 0) out.splice(sameMember, 1);
    out.push(clean);
  }
  return out;
}
