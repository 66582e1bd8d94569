/**
 * The answer text. Numbers in it always come from the server: facts are computed from the
 * governed result, a planner may word the sentence around `{{key}}` placeholders, and the
 * server substitutes the values. Without a wording, the server writes the sentence itself.
 * Values are formatted exactly as the dashboard tiles format them (value-format.ts).
 */
import type { Granularity, QueryResult, SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import type { AnswerFact } from './planner.js';
import { describeScope } from './describe-query.js';
import { titleIn } from './titles.js';
import { formatMeasureValue, formatTimeValue } from './value-format.js';

type Row = QueryResult['rows'][number];

export interface ResultFacts {
  facts: AnswerFact[];
  values: Map<string, string>;
  template: string;
}

export interface AnswerContext {
  /** Whether a measure adds up across rows (sum, count): only then is a total "in total" and a share meaningful. */
  additive?: (measure: string) => boolean;
  /** The period in the user's words ("last quarter", "Q3 2026"). */
  rangeLabel?: string;
  /** Two periods compared like for like: compare them, never add them up. */
  comparison?: boolean;
  /** Rows of `member` to set against the total ("what fraction of revenue comes from EMEA"). */
  share?: { member: string; values: string[] };
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const PERCENT = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** "1 region", "3 regions", "5 categories". */
export function plural(count: number, noun: string): string {
  if (count === 1) return `1 ${noun}`;
  const lower = noun;
  const plural = /[^aeiou]y$/.test(lower) ? `${lower.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(lower) ? `${lower}es` : `${lower}s`;
  return `${COUNT.format(count)} ${plural}`;
}

function lowerFirst(text: string): string {
  // Keep acronyms ("ID", "AOV") as they are.
  return /^[A-Z]{2}/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}

function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * @example
 * ```ts
 * const { template } = resultFacts(query, result, catalog, 'Revenue by Region', { additive: () => true, rangeLabel: 'last quarter' });
 * template // 'EMEA had the highest revenue last quarter, $1,234, followed by AMER ($987) and APAC ($512). Across 3 regions, revenue came to $2,733.'
 * ```
 */
export function resultFacts(query: SemanticQuery, result: QueryResult, catalog: Catalog, explanation: string, context: AnswerContext = {}): ResultFacts {
  const facts: AnswerFact[] = [];
  const values = new Map<string, string>();
  const add = (key: string, label: string, value: string) => {
    facts.push({ key, label });
    values.set(key, value);
  };
  const dataset = catalog.datasets.find((d) => d.name === query.dataset);
  const granularity = query.timeDimension?.granularity as Granularity | undefined;
  const measureText = (member: string, value: unknown) => formatMeasureValue(dataset, member, value);
  const labelOf = (row: Row) => rowLabel(row, result, granularity);
  const measures = query.measures.map((m) => ({ name: m, title: titleIn(catalog, query.dataset, m) }));
  const main = measures[0]!;
  const additive = context.additive?.(main.name) ?? false;
  const scope = describeScope(query, catalog, context.rangeLabel);
  const where = scope ? ` ${scope}` : '';
  add('row_count', 'number of rows in the result', COUNT.format(result.rows.length));

  if (result.rows.length === 0) return { facts, values, template: `There is no data for ${lowerFirst(explanation)}.` };

  const grouped = result.columns.some((c) => c.kind !== 'measure');
  if (!grouped) {
    const row = result.rows[0]!;
    const parts = measures.map((m, i) => {
      const shown = measureText(m.name, row[m.name]);
      add(`value_${i}`, m.title, shown);
      // Counts read as "there were 129 orders"; amounts as "revenue was $1,234".
      if (isCount(dataset, m.name)) return `${i === 0 ? 'there were' : ''} ${shown} ${lowerFirst(m.title)}${i === 0 ? where : ''}`.trim();
      return `${lowerFirst(m.title)}${i === 0 ? where : ''} was ${shown}`;
    });
    return { facts, values, template: `${upperFirst(listText(parts))}.` };
  }

  const first = result.rows[0]!;
  const last = result.rows[result.rows.length - 1]!;
  add('first_label', 'label of the first row', labelOf(first));
  add('first_value', `${main.title} of the first row`, measureText(main.name, first[main.name]));
  add('last_label', 'label of the last row', labelOf(last));
  add('last_value', `${main.title} of the last row`, measureText(main.name, last[main.name]));
  const totalValue = result.meta.totals?.[main.name];
  const total = totalValue !== undefined && totalValue !== null ? measureText(main.name, totalValue) : undefined;
  if (total !== undefined) add('total', `${main.title} over all rows`, total);

  const groupNoun = groupName(query, catalog);
  const measureLower = lowerFirst(main.title);
  const sentences: string[] = [];

  if (context.share && total !== undefined && typeof totalValue === 'number' && totalValue !== 0) {
    const column = context.share.member;
    const part = result.rows.filter((r) => context.share!.values.length === 0 ? r === first : context.share!.values.includes(String(r[column])));
    const sum = part.reduce((s, r) => s + (typeof r[main.name] === 'number' ? (r[main.name] as number) : 0), 0);
    const names = context.share.values.length > 0 ? context.share.values.join(' and ') : labelOf(first);
    const share = PERCENT.format(sum / totalValue);
    add('share', `share of ${main.title}`, share);
    sentences.push(`${names} accounted for ${share} of ${measureLower}${where}: ${measureText(main.name, sum)} of ${total}.`);
    return { facts, values, template: sentences.join(' ') };
  }

  const ordered = query.order[0];
  const rankedByMeasure = ordered !== undefined && ordered.member === main.name;
  if (rankedByMeasure) {
    const count = isCount(dataset, main.name);
    const rank = ordered.direction === 'desc' ? (count ? 'most' : 'highest') : count ? 'fewest' : 'lowest';
    const lead = `${labelOf(first)} had the ${rank} ${measureLower}${where}, ${measureText(main.name, first[main.name])}`;
    const followers = result.rows.slice(1, 3).map((r) => `${labelOf(r)} (${measureText(main.name, r[main.name])})`);
    const more = result.rows.length > 3 ? `, and ${COUNT.format(result.rows.length - 3)} more` : '';
    sentences.push(followers.length ? `${lead}, followed by ${followers.join(' and ')}${more}.` : `${lead}.`);
  } else if (context.comparison && granularity && query.dimensions.length === 0 && result.rows.length === 2) {
    const before = first[main.name];
    const after = last[main.name];
    const change = typeof before === 'number' && typeof after === 'number' && before !== 0 ? (after - before) / Math.abs(before) : undefined;
    const trend = change === undefined ? '' : change === 0 ? ', unchanged' : `, ${change > 0 ? 'up' : 'down'} ${PERCENT.format(Math.abs(change))}`;
    sentences.push(`${upperFirst(measureLower)} was ${measureText(main.name, before)} in ${labelOf(first)} and ${measureText(main.name, after)} in ${labelOf(last)}${trend} (${scope}).`);
    return { facts, values, template: sentences.join(' ') };
  } else if (granularity && query.dimensions.length === 0) {
    const peak = result.rows.reduce((best, r) => ((r[main.name] as number) > (best[main.name] as number) ? r : best), first);
    if (result.rows.length === 1) {
      sentences.push(`${upperFirst(measureLower)} in ${labelOf(first)} was ${measureText(main.name, first[main.name])}${where ? ` (${scope})` : ''}.`);
    } else {
      // Up to three periods are all named; more read as a range with its peak, so a sentence
      // never lists some periods and leaves the reader to think those were all there were.
      const at = (row: typeof first) => `${measureText(main.name, row[main.name])} in ${labelOf(row)}`;
      const series =
        result.rows.length <= 3
          ? `${result.rows.slice(0, -1).map(at).join(', ')} and ${at(last)}.`
          : `from ${at(first)} to ${at(last)}, with the peak in ${labelOf(peak)} (${measureText(main.name, peak[main.name])}).`;
      sentences.push(`${upperFirst(measureLower)} by ${granularity}${where}: ${series}`);
    }
  } else {
    sentences.push(`${upperFirst(measureLower)} by ${groupNoun}${where}: ${labelOf(first)} (${measureText(main.name, first[main.name])}) to ${labelOf(last)} (${measureText(main.name, last[main.name])}).`);
  }
  const rows = plural(result.rows.length, granularity && query.dimensions.length === 0 ? granularity : groupNoun);
  if (total !== undefined && typeof totalValue === 'number') {
    if (query.limit !== undefined) {
      // The total covers every row, not only those shown: say what the shown ones make of it.
      if (additive && totalValue !== 0) {
        const shown = result.rows.reduce((sum, r) => sum + (typeof r[main.name] === 'number' ? (r[main.name] as number) : 0), 0);
        sentences.push(`${result.rows.length === 1 ? 'That is' : 'Together they make'} ${PERCENT.format(shown / totalValue)} of the ${total} total.`);
      }
    } else {
      // An average, maximum or ratio has an overall value, not a total: never "of a total of" there.
      sentences.push(additive ? `Across ${rows}, ${measureLower} came to ${total}.` : `Overall, ${measureLower} was ${total}.`);
    }
  }
  return { facts, values, template: sentences.join(' ') };
}

/** A measure shown as a whole number (orders, customers, units): it is counted, "most" and "were". */
function isCount(dataset: Catalog['datasets'][number] | undefined, member: string): boolean {
  return (dataset?.members.find((m) => m.name === member) as { format?: string } | undefined)?.format === 'integer';
}

function listText(parts: readonly string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The noun a row stands for: the first dimension's title ("region"), or the time grain. */
function groupName(query: SemanticQuery, catalog: Catalog): string {
  const dimension = query.dimensions[0];
  if (dimension) return lowerFirst(titleIn(catalog, query.dataset, dimension));
  return query.timeDimension?.granularity ?? 'row';
}

/** The label of a row: its dimension and time-bucket values, e.g. "EMEA" or "Mar 2026, web". */
function rowLabel(row: Row, result: QueryResult, granularity: Granularity | undefined): string {
  return result.columns
    .filter((c) => c.kind !== 'measure')
    .map((c) => (c.kind === 'time' ? formatTimeValue(row[c.name], granularity) : row[c.name] === null || row[c.name] === undefined ? 'no value' : String(row[c.name])))
    .join(', ');
}

/** Replace `{{key}}` with the server's values; an unknown placeholder voids the wording. */
export function substituteFacts(text: string, values: ReadonlyMap<string, string>): string | undefined {
  let unknown = false;
  const out = text.replace(/\{\{\s*([a-z0-9_.]+)\s*\}\}/gi, (_, key: string) => {
    const value = values.get(key);
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  return unknown ? undefined : out;
}
