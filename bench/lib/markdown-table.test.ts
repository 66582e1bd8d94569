import { describe, expect, it } from 'vitest';
import { figureColumns, markdownTable } from './markdown-table.js';

describe('markdownTable', () => {
  it('pads columns and aligns figures right', () => {
    const table = markdownTable(['scenario', 'req/s'], [['bare route', '12,345'], ['mint', '9']], ['left', 'right']);
    expect(table.split('\n')).toEqual([
      '| scenario   |  req/s |',
      '|:-----------|-------:|',
      '| bare route | 12,345 |',
      '| mint       |      9 |',
    ]);
  });

  it('escapes pipes and newlines so a cell cannot break the table', () => {
    const table = markdownTable(['a'], [['x|y\nz']]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('| x\\|y z |');
  });

  it('fills missing cells and measures width in characters, not bytes', () => {
    const lines = markdownTable(['per op', 'n'], [['1.00 µs']]).split('\n');
    expect(lines[2]).toBe('| 1.00 µs |     |');
    expect([...(lines[0] ?? '')].length).toBe([...(lines[2] ?? '')].length);
  });

  it('figureColumns: the first column is text, the rest are figures', () => {
    expect(figureColumns(3)).toEqual(['left', 'right', 'right']);
  });
});
