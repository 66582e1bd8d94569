/** Column alignment: text columns left, figures right. */
export type Alignment = 'left' | 'right';

/**
 * Format a GitHub-flavoured markdown table, padded so it also reads well in a terminal.
 * Pipes inside cells are escaped so a value can never break the table.
 *
 * @example
 * ```ts
 * markdownTable(['scenario', 'req/s'], [['bare route', '12,345']], ['left', 'right']);
 * // | scenario   |  req/s |
 * // |:-----------|-------:|
 * // | bare route | 12,345 |
 * ```
 */
export function markdownTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Alignment[] = []): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const body = [headers, ...rows].map((row) => headers.map((_, i) => escape(row[i] ?? '')));
  const widths = headers.map((_, i) => Math.max(3, ...body.map((row) => [...(row[i] ?? '')].length)));
  const pad = (cell: string, i: number) => {
    const gap = ' '.repeat((widths[i] ?? 0) - [...cell].length);
    return align[i] === 'right' ? gap + cell : cell + gap;
  };
  const line = (row: readonly string[]) => `| ${row.map(pad).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  const [head, ...rest] = body;
  return [line(head ?? []), rule, ...rest.map(line)].join('\n');
}

/** Right-align every column after the first (the usual "label, then figures" layout). */
export function figureColumns(count: number): Alignment[] {
  return Array.from({ length: count }, (_, i) => (i === 0 ? 'left' : 'right'));
}
