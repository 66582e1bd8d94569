import { Readable } from 'node:stream';
import type { QueryResult } from '@perch/protocol';
import { csvRow } from '../audit/csv.js';

/** Rows per chunk pushed to the socket: large enough to be cheap, small enough to stay streamed. */
const ROWS_PER_CHUNK = 500;

/**
 * A query result as a streamed CSV body: a header line of column names, then one record per row.
 * Cells are RFC 4180-escaped and cells a spreadsheet would run as a formula (`= + - @`, tab, CR)
 * get a leading `'` (CSV injection).
 *
 * @example
 * ```ts
 * reply.type('text/csv; charset=utf-8').send(csvStream(result));
 * ```
 */
export function csvStream(result: QueryResult): Readable {
  const names = result.columns.map((c) => c.name);
  function* chunks(): Generator<string> {
    yield csvRow(names);
    for (let start = 0; start < result.rows.length; start += ROWS_PER_CHUNK) {
      let chunk = '';
      for (const row of result.rows.slice(start, start + ROWS_PER_CHUNK)) chunk += csvRow(names.map((name) => row[name] ?? null));
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
