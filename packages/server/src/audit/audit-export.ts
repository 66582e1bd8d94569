import type { Kysely } from 'kysely';
import type { AuditDatabase } from './audit-schema.js';
import { applyFilters, validateFilters, type AuditFilters } from './audit-filters.js';
import { csvRow } from './csv.js';
import { SEQ_WINDOW, seqSpan } from './seq-range.js';
import { eventFromRow, type AuditEvent } from './stored-event.js';

export type AuditExportFormat = 'ndjson' | 'csv';

/** Rows fetched per round trip at most; memory use is bounded by one chunk whatever the export size. */
export const EXPORT_CHUNK = SEQ_WINDOW;

const CSV_COLUMNS = ['seq', 'time', 'workspace', 'action', 'outcome', 'resource', 'code', 'distinctId', 'role', 'env', 'apiKeyId', 'origin', 'ip', 'userAgent', 'requestId', 'details', 'attributes', 'prevHash', 'hash'] as const;

/**
 * Stream the matching events oldest first, as NDJSON (one event per line) or CSV (header row,
 * `details`/`attributes` as JSON text). Walks `seq` in windows of {@link EXPORT_CHUNK}, so a million-event export holds one chunk in memory at a time and runs
 * on both store backends alike. Each yielded string is one chunk of output.
 *
 * @example
 * ```ts
 * for await (const text of exportAudit(db, { workspace: 'default' }, 'csv')) response.write(text);
 * ```
 */
export async function* exportAudit(db: Kysely<AuditDatabase>, filters: AuditFilters, format: AuditExportFormat): AsyncGenerator<string> {
  validateFilters(filters); // fail before the first byte, so the route can still answer 400
  if (format !== 'ndjson' && format !== 'csv') throw new TypeError(`unknown export format ${String(format)}`);
  if (format === 'csv') yield csvRow(CSV_COLUMNS);
  // Export what exists when the export starts; later events belong to the next export.
  const span = await seqSpan(db, filters.workspace);
  for (let after = Math.max(span.min - 1, 0); after < span.max; after += SEQ_WINDOW) {
    const rows = await applyFilters(db.selectFrom('audit_events').selectAll(), filters)
      .where('seq', '>', after)
      .where('seq', '<=', Math.min(after + SEQ_WINDOW, span.max))
      .orderBy('seq', 'asc')
      .execute();
    if (rows.length === 0) continue;
    let text = '';
    for (const row of rows) {
      const event = eventFromRow(row);
      text += format === 'ndjson' ? `${JSON.stringify(event)}\n` : csvRow(csvCells(event));
    }
    yield text;
  }
}

function csvCells(e: AuditEvent): (string | number | null)[] {
  return [e.seq, e.time, e.workspace, e.action, e.outcome, e.resource, e.code, e.distinctId, e.role, e.env, e.apiKeyId, e.origin, e.ip, e.userAgent, e.requestId, JSON.stringify(e.details), e.attributes === null ? null : JSON.stringify(e.attributes), e.prevHash, e.hash];
}
