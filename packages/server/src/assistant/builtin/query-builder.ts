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
  COMPARE_WORDS,
  FILLER,
  ITEM_VERBS,
  MONEY_VERBS,
  NEGATIONS,
  NOT_ORGANISATION,
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
  readonly #missesBeside = new Map<number, CatalogMember>();
  readonly #measurePositions = new Set<number>();
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
          `I can't apply "${this.threshold.text}" to single ${this.dataset.title.toLowerCase()}: the data adds amounts up before comparing them. I can show the groups whose ${this.#title(measures[0]!).toLowerCase()} is ${this.threshold.text}, for example:`,
          this.#stringDimensions().slice(0, 4).map((d) => `${this.#title(measures[0]!).toLowerCase()} by ${displayTitle(d).toLowerCase()} ${this.threshold!.text}`),
        );
      }
      filters.push({ member: measures[0]!, operator: this.threshold.operator, values: [this.threshold.value] });
    }
    const ranking = this.#ranking;
    if (ranking?.limit !== undefined && !grouped) {
      return clarify(`Top ${ranking.limit} of what? For example:`, this.#stringDimensions().slice(0, 5).map((m) => `top ${ranking.limit} ${displayTitle(m).toLowerCase()} by ${this.#title(measures[0]!).toLowerCase()}`));
    }
    if (ranking && grouped) {
      order = [{ member: measures[0]!, direction: ranking.direction }];
      limit = ranking.limit;
    } else if (order.length === 0 && dimensions.length > 0 && !timeDimension?.granularity) {
      order = [{ member: measures[0]!, direction: 'desc' }];
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
    return {
      kind: 'query',
      query,
      explanation: describeQuery(query, this.input.catalog, this.time.rangeLabel),
      ...(notes.length > 0 ? { notes } : {}),
      ...(share ? { share } : {}),
      ...(this.time.rangeLabel ? { rangeLabel: this.time.rangeLabel } : {}),
    };
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
          if (!owner && !this.matches.some((m) => m.start === start)) this.#missesBeside.set(start, match.member);
          continue;
        }
        const from = Math.min(start, match.start);
        const to = Math.max(found.end, match.end);
        this.#addFilter(match.member.name, found.value, this.#negated(from, to));
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
      if (member.kind === 'measure' && inGroup && before.some((t) => GROUP_TRIGGERS.has(t))) member = match.alternatives.find((m) => m.kind === 'dimension') ?? member;
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
    if (this.#measures.length > 0 || (!money && !items)) return;
    // "how much did we sell" is money; "how many did we sell" is items.
    const howMuch = this.tokens.some((t, i) => t === 'how' && this.tokens[i + 1] === 'much');
    const wanted = money || howMuch ? ['revenue', 'sales', 'income', 'turnover'] : ['units', 'quantity', 'items', 'volume'];
    const measure = this.dataset.members.find((m) => m.kind === 'measure' && [m.name, m.title.toLowerCase(), ...m.synonyms].some((n) => wanted.some((w) => n.toLowerCase().includes(w))));
    if (measure) this.#measures.push(measure.name);
  }

  /** "average revenue per order": a measure whose title is that average, when the catalog has one. */
  #readAverage(): void {
    const at = this.tokens.findIndex((t, i) => AVERAGE_WORDS.has(t) && !this.#used.has(i));
    if (at < 0) return;
    const perIndex = this.tokens.findIndex((t, i) => i > at && (t === 'per' || t === 'each' || t === 'an' || t === 'a'));
    const entity = perIndex >= 0 ? this.tokens[perIndex + 1] : undefined;
    const candidates = this.dataset.members.filter((m) => m.kind === 'measure' && /\baverage\b/i.test(m.title));
    const pick = entity ? candidates.find((m) => words(m.title).includes(singular(entity))) : undefined;
    if (!pick) return;
    // The measures the phrase named (e.g. revenue, orders) become the average itself.
    this.#measures.length = 0;
    this.#measures.push(pick.name);
    this.#used.add(at);
    this.#used.add(perIndex);
    this.#used.add(perIndex + 1);
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

    if (others.length === 0 && organisation) {
      const visible = await this.#lookup(organisation.name, '');
      if (visible.length === 1) {
        notes.unshift(`You can only see data for ${visible[0]}; here is yours.`);
        return undefined;
      }
      return clarify(`I couldn't find "${this.tokens[organisations[0]!]}" among the ${displayTitle(organisation).toLowerCase()} values you can see. Did you mean one of these?`, visible.slice(0, 6));
    }

    const first = others[0]!;
    const beside = this.#missesBeside.get(first);
    if (beside) {
      const visible = await this.#lookup(beside.name, '');
      return clarify(
        `I couldn't find a ${displayTitle(beside)} called "${this.tokens[first]}" among the values you can see, so I haven't run anything.${visible.length ? ' These are the ones you can see:' : ''}`,
        visible.slice(0, 6),
      );
    }
    const phrase = this.#phraseAround(first);
    const rest = others.slice(1).map((i) => `"${this.tokens[i]}"`);
    const also = rest.length > 0 ? ` (nor ${rest.join(', ')})` : '';
    return clarify(
      `I don't know what "${phrase}" means in your data${also}, so I haven't run anything. Your data has ${this.#measureList()}, broken down by ${this.#dimensionList()}. For example:`,
      this.#examples(this.#measures, 'share').map((s) => s.replace(/^share of /, '')),
    );
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

  #looksLikeOrganisation(i: number, organisation: CatalogMember | undefined): boolean {
    const word = this.tokens[i]!;
    if (!organisation || NOT_ORGANISATION.has(word) || isLexicon(word) || /^\d/.test(word)) return false;
    const beside = this.#missesBeside.get(i);
    if (beside) return beside.name === organisation.name || beside.name.endsWith('customer_id');
    const before = this.tokens[i - 1];
    const after = this.tokens[i + 1];
    if (before !== undefined && (ORGANISATION_PREPOSITIONS.has(before) || ORGANISATION_WORDS.has(before))) return true;
    if (after !== undefined && (ORGANISATION_WORDS.has(after) || this.#measurePositions.has(i + 1))) return true;
    return false;
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
