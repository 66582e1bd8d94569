/**
 * The answer text. Numbers in it always come from the server: facts are computed from the
 * governed result, a planner may word the sentence around `{{key}}` placeholders, and the
 * server substitutes the values. Without a wording, a template answer is used.
 */
import type { QueryResult, SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';
import type { AnswerFact } from './planner.js';

type Row = QueryResult['rows'][number];

export interface ResultFacts {
  facts: AnswerFact[];
  values: Map<string, string>;
  template: string;
}

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

function formatValue(value: Row[string] | undefined): string {
  if (value === null || value === undefined) return 'no value';
  if (typeof value === 'number') return NUMBER.format(value);
  return String(value);
}

function titleOf(catalog: Catalog, dataset: string, member: string): string {
  return catalog.datasets.find((d) => d.name === dataset)?.members.find((m) => m.name === member)?.title ?? member;
}

/** The label of a row: its dimension and time-bucket values, e.g. "EMEA" or "2026-03-01, web". */
function rowLabel(row: Row, result: QueryResult): string {
  return result.columns
    .filter((c) => c.kind !== 'measure')
    .map((c) => formatValue(row[c.name]))
    .join(', ');
}

/**
 * @example
 * ```ts
 * const { facts, values, template } = resultFacts(query, result, catalog, 'Revenue by Region');
 * template // 'Revenue by Region: EMEA has the highest Revenue, 1,234.5, of a total of 3,456.7 across 3 rows.'
 * ```
 */
export function resultFacts(query: SemanticQuery, result: QueryResult, catalog: Catalog, explanation: string): ResultFacts {
  const facts: AnswerFact[] = [];
  const values = new Map<string, string>();
  const add = (key: string, label: string, value: string) => {
    facts.push({ key, label });
    values.set(key, value);
  };
  const measures = query.measures.map((m) => ({ name: m, title: titleOf(catalog, query.dataset, m) }));
  const grouped = result.columns.some((c) => c.kind !== 'measure');
  add('row_count', 'number of rows in the result', NUMBER.format(result.rows.length));
  if (result.rows.length === 0) return { facts, values, template: `${explanation}: no matching rows.` };

  if (!grouped) {
    const row = result.rows[0]!;
    const parts = measures.map((m, i) => {
      add(`value_${i}`, m.title, formatValue(row[m.name]));
      return `${m.title} was ${formatValue(row[m.name])}`;
    });
    return { facts, values, template: `${explanation}: ${parts.join(', ')}.` };
  }

  const first = result.rows[0]!;
  const last = result.rows[result.rows.length - 1]!;
  const main = measures[0]!;
  add('first_label', 'label of the first row', rowLabel(first, result));
  add('first_value', `${main.title} of the first row`, formatValue(first[main.name]));
  add('last_label', 'label of the last row', rowLabel(last, result));
  add('last_value', `${main.title} of the last row`, formatValue(last[main.name]));
  const total = result.meta.totals?.[main.name];
  if (total !== undefined && total !== null) add('total', `${main.title} over all rows`, formatValue(total));

  const ordered = query.order[0];
  let template: string;
  if (ordered && ordered.member === main.name) {
    const rank = ordered.direction === 'desc' ? 'highest' : 'lowest';
    template = `${explanation}: ${rowLabel(first, result)} has the ${rank} ${main.title}, ${formatValue(first[main.name])}`;
  } else {
    template = `${explanation}: from ${rowLabel(first, result)} (${formatValue(first[main.name])}) to ${rowLabel(last, result)} (${formatValue(last[main.name])})`;
  }
  template += total !== undefined && total !== null ? `, of a total of ${formatValue(total)} across ${result.rows.length} rows.` : `, across ${result.rows.length} rows.`;
  return { facts, values, template };
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
