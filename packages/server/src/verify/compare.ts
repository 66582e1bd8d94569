/** A cell of a reference or governed result, normalised for comparison. */
export type ReferenceValue = string | number | boolean | null;
export type ReferenceRow = ReferenceValue[];

/**
 * One cell as the comparison sees it: bigints and numeric strings of NUMERIC/DECIMAL columns
 * become numbers, dates ISO strings, everything else stays as it is.
 */
export function normaliseCell(cell: unknown): ReferenceValue {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === 'bigint') return Number(cell);
  if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'string') return cell;
  if (cell instanceof Date) return cell.toISOString();
  // DuckDB DECIMAL / HUGEINT values and other wrappers print as their number.
  const text = String(cell);
  const number = Number(text);
  return Number.isFinite(number) && text.trim() !== '' ? number : text;
}

/** Numbers compare to a relative 1e-6 (sums of doubles in another order differ in the last bits). */
function sameValue(a: ReferenceValue, b: ReferenceValue): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  if (typeof a === 'number' && typeof b === 'string') return sameValue(a, Number(b));
  if (typeof a === 'string' && typeof b === 'number') return sameValue(Number(a), b);
  return a === b;
}

function rowKey(row: ReferenceRow): string {
  return JSON.stringify(row.map((cell) => (typeof cell === 'number' ? Number(cell.toPrecision(9)) : cell)));
}

/**
 * Whether two result sets hold the same rows in any order.
 *
 * @example
 * ```ts
 * sameRows([['EMEA', 3]], [['EMEA', 3.0000000001]]) // true
 * ```
 */
export function sameRows(actual: readonly ReferenceRow[], expected: readonly ReferenceRow[]): boolean {
  if (actual.length !== expected.length) return false;
  const a = [...actual].sort((x, y) => rowKey(x).localeCompare(rowKey(y)));
  const e = [...expected].sort((x, y) => rowKey(x).localeCompare(rowKey(y)));
  return a.every((row, i) => row.length === e[i]!.length && row.every((cell, j) => sameValue(cell, e[i]![j]!)));
}
