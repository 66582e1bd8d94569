// Spreadsheets execute a cell that starts with one of these as a formula (CSV injection);
// tab and carriage return are in the OWASP list too.
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One CSV cell (RFC 4180): a cell a spreadsheet would read as a formula gets a leading `'`,
 * then cells containing a comma, quote or line break are quoted with inner quotes doubled.
 *
 * @example
 * ```ts
 * csvCell('=HYPERLINK("x")') // "'=HYPERLINK(""x"")" quoted
 * ```
 */
export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV record, CRLF-terminated as RFC 4180 asks. */
export function csvRow(cells: readonly (string | number | boolean | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
