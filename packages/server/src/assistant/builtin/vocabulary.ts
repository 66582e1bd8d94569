/**
 * Matching words of a question to catalog members: by name, title and the model's `synonyms`,
 * then by singular form, then by edit distance (fastest-levenshtein) for misspellings.
 */
import { distance } from 'fastest-levenshtein';
import type { CatalogDataset, CatalogMember } from '@perch/engine';
import { STOP_WORDS, singular, words } from './text.js';

/** 3 = exact phrase, 2 = same singular form, 1 = within edit distance. */
export type MatchQuality = 1 | 2 | 3;

export interface MemberMatch {
  member: CatalogMember;
  /** Token positions `[start, end)` of the phrase in the question. */
  start: number;
  end: number;
  quality: MatchQuality;
  /** Every member that matched the phrase equally well; more than one means "ambiguous". */
  tied: CatalogMember[];
  /** Other members the phrase also names (exact or singular form), e.g. a dimension beside a measure. */
  alternatives: CatalogMember[];
}

interface Phrase {
  member: CatalogMember;
  words: string[];
  /** Phrases of joined members' bare names rank below a dataset's own members. */
  joined: boolean;
}

function dedupe(list: string[]): string[] {
  return list.filter((word, i) => word !== list[i - 1]);
}

export function phrasesOf(dataset: CatalogDataset): Phrase[] {
  const phrases: Phrase[] = [];
  for (const member of dataset.members) {
    const joined = member.name.includes('.');
    const sources = [member.name.replace(/[._]/g, ' '), member.title, ...member.synonyms];
    if (joined) sources.push(member.name.split('.')[1]!.replace(/_/g, ' '));
    const seen = new Set<string>();
    for (const source of sources) {
      const list = dedupe(words(source));
      const key = list.join(' ');
      if (list.length === 0 || seen.has(key)) continue;
      seen.add(key);
      phrases.push({ member, words: list, joined });
    }
  }
  return phrases;
}

/** Real words that are never misspellings of a member ("median" is not "medium"). */
const NOT_TYPOS: ReadonlySet<string> = new Set(['median', 'medium', 'margin', 'manager', 'method', 'months', 'monthly', 'sales', 'scale', 'stores', 'state', 'stats']);

function fuzzyLimit(word: string): number {
  if (word.length >= 6) return 2;
  if (word.length >= 4) return 1;
  return 0;
}

function phraseQuality(tokens: readonly string[], phrase: readonly string[]): MatchQuality | undefined {
  if (tokens.length !== phrase.length) return undefined;
  if (tokens.every((t, i) => t === phrase[i])) return 3;
  if (tokens.every((t, i) => singular(t) === singular(phrase[i]!))) return 2;
  // Misspellings: every word within its edit budget, same first letter (keeps short words honest).
  const fuzzy = tokens.every((t, i) => {
    const p = phrase[i]!;
    if (t === p || singular(t) === singular(p)) return true;
    if (STOP_WORDS.has(t) || t[0] !== p[0] || NOT_TYPOS.has(t)) return false;
    return distance(t, p) <= Math.min(fuzzyLimit(t), fuzzyLimit(p));
  });
  return fuzzy ? 1 : undefined;
}

/**
 * Greedy longest-phrase matching left to right. A position already used (by a time expression or
 * an earlier match) is never reused.
 *
 * @example
 * ```ts
 * matchMembers(['revnue', 'by', 'reigon'], dataset) // revenue (quality 1), region (quality 1)
 * ```
 */
export function matchMembers(tokens: readonly string[], dataset: CatalogDataset, used: ReadonlySet<number> = new Set()): MemberMatch[] {
  const phrases = phrasesOf(dataset);
  const longest = Math.max(1, ...phrases.map((p) => p.words.length));
  const matches: MemberMatch[] = [];
  let i = 0;
  while (i < tokens.length) {
    let found: MemberMatch | undefined;
    for (let length = Math.min(longest, tokens.length - i); length >= 1 && !found; length--) {
      const slice = tokens.slice(i, i + length);
      if (slice.some((_, k) => used.has(i + k))) continue;
      if (length === 1 && STOP_WORDS.has(slice[0]!) && !phrases.some((p) => p.words.length === 1 && p.words[0] === slice[0])) continue;
      found = bestMatch(slice, phrases, i);
    }
    if (found) {
      matches.push(found);
      i = found.end;
    } else {
      i++;
    }
  }
  return matches;
}

function bestMatch(slice: readonly string[], phrases: readonly Phrase[], start: number): MemberMatch | undefined {
  let best: { quality: MatchQuality; joined: boolean; members: CatalogMember[] } | undefined;
  for (const phrase of phrases) {
    const quality = phraseQuality(slice, phrase.words);
    if (quality === undefined) continue;
    const better = !best || quality > best.quality || (quality === best.quality && best.joined && !phrase.joined);
    if (better) best = { quality, joined: phrase.joined, members: [phrase.member] };
    else if (best && quality === best.quality && phrase.joined === best.joined && !best.members.includes(phrase.member)) best.members.push(phrase.member);
  }
  if (!best) return undefined;
  // Candidates one level below still matter for measure/dimension disambiguation ("top customers").
  const alternatives: CatalogMember[] = [];
  for (const phrase of phrases) {
    if (best.members.includes(phrase.member) || alternatives.includes(phrase.member)) continue;
    const quality = phraseQuality(slice, phrase.words);
    if (quality !== undefined && quality >= 2) alternatives.push(phrase.member);
  }
  return { member: best.members[0]!, start, end: start + slice.length, quality: best.quality, tied: best.members, alternatives };
}
