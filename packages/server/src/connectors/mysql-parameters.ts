import { PerchError } from '@perch/protocol';
import type { SqlParameter } from '@perch/engine';

/** A value `mysql2`'s `execute` binds as it is. */
export type MySqlValue = string | number | boolean | null;

export interface MySqlStatement {
  sql: string;
  values: MySqlValue[];
}

/**
 * Prepares governed SQL (`?` placeholders) for binding. MySQL has no array type, so a list
 * parameter (`x IN (?)`) is expanded in place to one placeholder per item (`IN (?, ?, ?)`), and an
 * empty list to `NULL`, which matches no row. Items stay bound parameters: only `?` and `,` are
 * written into the SQL text. The engine itself always expands lists, so this serves SQL that
 * binds whole lists, as the connector contract does.
 *
 * Dates are bound as UTC text (`YYYY-MM-DD HH:MM:SS.fff`), which MySQL compares with `DATETIME`
 * columns as the same instant whatever time zone the Perch process runs in.
 */
export function toMySqlStatement(sql: string, parameters: readonly SqlParameter[]): MySqlStatement {
  if (!parameters.some((value) => Array.isArray(value))) return { sql, values: parameters.map((value) => scalar(value as Exclude<SqlParameter, ReadonlyArray<unknown>>)) };
  const positions = placeholderPositions(sql);
  if (positions.length !== parameters.length) throw new PerchError('internal_error', { detail: `mysql statement has ${positions.length} placeholders for ${parameters.length} parameters` });
  const values: MySqlValue[] = [];
  let text = '';
  let from = 0;
  parameters.forEach((value, i) => {
    const at = positions[i]!;
    text += sql.slice(from, at);
    from = at + 1;
    if (Array.isArray(value)) {
      const items = value as ReadonlyArray<string | number>;
      text += items.length === 0 ? 'NULL' : items.map(() => '?').join(', ');
      values.push(...items);
    } else {
      text += '?';
      values.push(scalar(value as Exclude<SqlParameter, ReadonlyArray<unknown>>));
    }
  });
  return { sql: text + sql.slice(from), values };
}

function scalar(value: Exclude<SqlParameter, ReadonlyArray<unknown>>): MySqlValue {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new PerchError('invalid_filter_value', { message: 'Invalid date.' });
    return value.toISOString().replace('T', ' ').replace('Z', '');
  }
  return value;
}

/**
 * Offsets of the `?` placeholders in MySQL SQL text, skipping string literals, quoted
 * identifiers and comments (where a `?` is just a character).
 */
export function placeholderPositions(sql: string): number[] {
  const positions: number[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = endOfQuoted(sql, i, c);
    } else if (c === '#' || (c === '-' && sql.startsWith('-- ', i))) {
      const newline = sql.indexOf('\n', i);
      i = newline === -1 ? sql.length : newline + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close === -1 ? sql.length : close + 2;
    } else {
      if (c === '?') positions.push(i);
      i++;
    }
  }
  return positions;
}

/** Index after a quoted run: the quote doubled is an escaped quote, and in strings so is a backslash escape. */
function endOfQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === '\\' && quote !== '`') {
      i += 2;
    } else if (c === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return sql.length;
}
