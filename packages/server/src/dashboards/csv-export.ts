import { Readable } from 'node:stream';
import type { QueryResult } from '@perch/protocol';
import { csvRow } from '../audit/csv.js';

/** Rows per chunk pushed to the socket: large enough to be cheap, small enough to stay streamed. */
const ROWS_PER_CHUNK = 500;

/**
 * A number without the binary noise of floating-point sums: 58610.26999999999 is written
 * 58610.27. Fifteen significant digits are all a double holds reliably, so this rounds away only
 * what was never in the stored values; integers and exact values are unchanged.
 *
 * @example
 * cleanNumber(58610.26999999999) // 58610.27
 */
export function cleanNumber(value: number): number {
  return Number.isFinite(value) && !Number.isInteger(value) ? Number(value.toPrecision(15)) : value;
}

/**
 * A query result as a streamed CSV body: a header line (the model's titles when given, else the
 * column names), then one record per row with raw values (numbers unformatted, float noise
 * removed). Cells are RFC 4180-escaped and cells a spreadsheet would run as a formula
 * (`= + - @`, tab, CR) get a leading `'` (CSV injection).
 *
 * @example
 * ```ts
 * reply.type('text/csv; charset=utf-8').send(csvStream(result, { revenue: 'Revenue' }));
 * ```
 */
export function csvStream(result: QueryResult, titles: Readonly<Record<string, string>> = {}): Readable {
  const names = result.columns.map((c) => c.name);
  function* chunks(): Generator<string> {
    yield csvRow(names.map((name) => titles[name] ?? name));
    for (let start = 0; start < result.rows.length; start += ROWS_PER_CHUNK) {
      let chunk = '';
      for (const row of result.rows.slice(start, start + ROWS_PER_CHUNK)) {
        chunk += csvRow(names.map((name) => {
          const value = row[name] ?? null;
          return typeof value === 'number' ? cleanNumber(value) : value;
        }));
      }
      yield chunk;
    }
  }
  return Readable.from(chunks(), { objectMode: false });
}

/** A file name for `Content-Disposition`, from ids that are already identifiers; anything else is dropped. */
export function exportFileName(resource: string): string {
  const base = resource.replace(/^(dashboard|dataset):/, '').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return `${base || 'export'}.csv`;
}
