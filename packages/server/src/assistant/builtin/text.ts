/** Word-level helpers for the built-in planner: normalisation, tokens, stop words, numbers. */

/** Lower-cased, punctuation reduced to spaces; keeps letters of every script, digits and `%`. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^\p{L}\p{N}%]+/gu, ' ')
    .trim();
}

export function words(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** Naive singular form, enough for member names ("orders" → "order", "categories" → "category"). */
export function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return word.slice(0, -3) + 'y';
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Words that carry no meaning for matching members or values. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the of and or for in on at to from by per each every which what whats who whose how much many is are was were be been being ' +
    'show me give list tell get display see find our my we us i you your can could would please did do does have has had this that these ' +
    'those it its there total overall sum chart graph plot data numbers all with across over compare compared vs versus breakdown broken ' +
    'down split grouped group sorted sort most highest top best biggest largest lowest least worst bottom smallest only just ' +
    'where value values as than so far between since during into about some any same also now then and what about like look looking up ' +
    'report summary view break out versus against vs who make made generate generated come came'
  ).split(' '),
);

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, fifteen: 15, twenty: 20, fifty: 50, hundred: 100 };

/** `"5"` or `"five"` → 5; anything else → undefined. */
export function parseCount(word: string): number | undefined {
  if (/^\d{1,5}$/.test(word)) return Number(word);
  return NUMBER_WORDS[word];
}

export const NUMBER_WORD_PATTERN = `\\d{1,5}|${Object.keys(NUMBER_WORDS).join('|')}`;
