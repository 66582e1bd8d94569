/** Thresholds on an amount or a count: "over $500", "more than 1.5k orders", "below 100". */
export interface Threshold {
  operator: 'gt' | 'gte' | 'lt' | 'lte';
  value: number;
  /** The words as written, for the answer and for clarifications ("over $500"). */
  text: string;
}

const OPERATORS: Array<[RegExp, Threshold['operator']]> = [
  [/^(?:over|above|more than|greater than|exceeding|bigger than|larger than|higher than|in excess of|upwards of)$/, 'gt'],
  [/^(?:at least|no less than|minimum of|min)$/, 'gte'],
  [/^(?:under|below|less than|fewer than|smaller than|lower than)$/, 'lt'],
  [/^(?:at most|no more than|up to|maximum of|max)$/, 'lte'],
];

const PATTERN =
  /\b(over|above|more than|greater than|exceeding|bigger than|larger than|higher than|in excess of|upwards of|at least|no less than|minimum of|under|below|less than|fewer than|smaller than|lower than|at most|no more than|up to|maximum of)\s+(?:an?\s+)?([$€£]\s?)?(\d[\d,]*(?:\.\d+)?)\s*(k|m|bn|thousand|million|billion)?(?![\w%])(?!\s*(?:days?|weeks?|months?|quarters?|years?)\b)/;

const SCALE: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, million: 1e6, bn: 1e9, billion: 1e9 };

/**
 * Finds one threshold and blanks it out of the text, so its number is not read as a count or year.
 *
 * @example
 * ```ts
 * readThreshold('regions with revenue over $1.5k') // { threshold: { operator: 'gt', value: 1500, text: 'over $1.5k' }, text: 'regions with revenue ' + blanks }
 * ```
 */
export function readThreshold(lower: string): { threshold?: Threshold; text: string } {
  const match = PATTERN.exec(lower);
  if (!match) return { text: lower };
  const operator = OPERATORS.find(([words]) => words.test(match[1]!))?.[1] ?? 'gt';
  const value = Number(match[3]!.replace(/,/g, '')) * (match[4] ? SCALE[match[4]]! : 1);
  if (!Number.isFinite(value)) return { text: lower };
  const text = lower.slice(0, match.index) + ' '.repeat(match[0].length) + lower.slice(match.index + match[0].length);
  return { threshold: { operator, value, text: match[0].trim() }, text };
}
