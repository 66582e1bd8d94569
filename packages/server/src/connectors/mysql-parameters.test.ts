import { describe, expect, it } from 'vitest';
import { placeholderPositions, toMySqlStatement } from './mysql-parameters.js';

describe('mysql parameters', () => {
  it('finds placeholders outside strings, quoted identifiers and comments', () => {
    const sql = "SELECT '?', \"it\\'s ?\", `col?` FROM t -- ?\nWHERE a = ? /* ? */ AND b = ? # ?\n";
    expect(placeholderPositions(sql).map((at) => sql.slice(at - 4, at + 1))).toEqual(['a = ?', 'b = ?']);
  });

  it('expands list parameters in place, an empty list to NULL, and binds the items', () => {
    const statement = toMySqlStatement('SELECT id FROM t WHERE a = ? AND b IN (?) AND c IN (?) AND d = ?', ['x', ['p', 'q', 'r'], [], 4]);
    expect(statement).toEqual({ sql: 'SELECT id FROM t WHERE a = ? AND b IN (?, ?, ?) AND c IN (NULL) AND d = ?', values: ['x', 'p', 'q', 'r', 4] });
  });

  it('never writes an item into the SQL text', () => {
    const statement = toMySqlStatement('SELECT 1 FROM t WHERE b IN (?)', [["x') OR ('1'='1", 'y']]);
    expect(statement.sql).toBe('SELECT 1 FROM t WHERE b IN (?, ?)');
    expect(statement.values).toEqual(["x') OR ('1'='1", 'y']);
  });

  it('binds a Date as UTC text and refuses an invalid one', () => {
    expect(toMySqlStatement('SELECT ?', [new Date('2026-02-01T12:30:45.123Z')]).values).toEqual(['2026-02-01 12:30:45.123']);
    expect(() => toMySqlStatement('SELECT ?', [new Date('nope')])).toThrow(expect.objectContaining({ code: 'invalid_filter_value' }));
  });

  it('refuses a statement whose placeholders and lists disagree', () => {
    expect(() => toMySqlStatement('SELECT ? IN (?)', [['a']])).toThrow(expect.objectContaining({ code: 'internal_error' }));
  });
});
