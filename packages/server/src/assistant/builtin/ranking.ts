/** Ranking in a question: direction and count, wherever the count stands ("top 3", "the five biggest", "which 4"). */
import { HIGH_WORDS, LOW_WORDS } from './lexicon.js';
import { parseCount } from './text.js';

export interface Ranking {
  direction: 'asc' | 'desc';
  limit?: number;
  /** Token positions the ranking used (ranking words and the count), for coverage. */
  positions: number[];
  /** The limit of 1 comes from "which … most", not from a count: a plural noun asks for a list. */
  fromWhich?: boolean;
}

/**
 * @param tokens the question's words with time phrases removed
 * @param numbers positions of counts already used elsewhere (none today; kept for clarity of intent)
 * @example
 * ```ts
 * readRanking(['the', 'five', 'biggest', 'customers']) // { direction: 'desc', limit: 5, positions: [1, 2] }
 * ```
 */
export function readRanking(tokens: readonly string[]): Ranking | undefined {
  const positions: number[] = [];
  let high = false;
  let low = false;
  tokens.forEach((token, i) => {
    if (HIGH_WORDS.has(token)) {
      // "most" before a low word ("most underperforming") or "max"/"min" as measures stay plain rankings.
      high = true;
      positions.push(i);
    } else if (LOW_WORDS.has(token)) {
      low = true;
      positions.push(i);
    }
  });
  const asks = tokens.some((t) => t === 'which' || t === 'what' || t === 'who');
  // A count next to a ranking word or after "which"/"what" is the limit, on either side.
  let limit: number | undefined;
  for (let i = 0; i < tokens.length && limit === undefined; i++) {
    const count = parseCount(tokens[i]!);
    if (count === undefined || count === 0) continue;
    const near = [tokens[i - 1], tokens[i + 1], tokens[i + 2]];
    const ranked = near.some((t) => t !== undefined && (HIGH_WORDS.has(t) || LOW_WORDS.has(t)));
    const asked = tokens[i - 1] === 'which' || tokens[i - 1] === 'what';
    if (ranked || asked || ((high || low) && i > 0)) {
      limit = count;
      positions.push(i);
    }
  }
  if (!high && !low && limit === undefined) return undefined;
  const direction = low && !high ? 'asc' : low && high ? lowestWins(tokens) : 'desc';
  const fromWhich = limit === undefined && asks && (high || low);
  if (fromWhich) limit = 1;
  if (limit === undefined && tokens.includes('top')) limit = 10;
  return { direction, ...(limit !== undefined ? { limit } : {}), positions, ...(fromWhich ? { fromWhich } : {}) };
}

/** "most underperforming" / "least popular": the word nearest the noun decides. */
function lowestWins(tokens: readonly string[]): 'asc' | 'desc' {
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (t === 'least' || t === 'fewest') return 'asc';
    if (t === 'most') return 'desc';
  }
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (LOW_WORDS.has(tokens[i]!)) return 'asc';
    if (HIGH_WORDS.has(tokens[i]!)) return 'desc';
  }
  return 'desc';
}
