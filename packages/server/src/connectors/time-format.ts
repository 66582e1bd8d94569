/**
 * Time values leave Perch in exactly two shapes, whatever the database:
 * timestamps as ISO-8601 UTC with milliseconds (`2026-01-31T00:00:00.000Z`) and dates as
 * `YYYY-MM-DD`. Values outside what a JS Date can represent keep the database's own text.
 */
export function isoFromEpochMillis(millis: number): string {
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? String(millis) : date.toISOString();
}

// PostgreSQL text output with DateStyle=ISO and TimeZone=UTC (both pinned per connection).
const PG_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:\+00(?::00)?)?$/;

/**
 * Rewrites PostgreSQL's ISO text for `timestamp` / `timestamptz` (UTC session) into Perch's
 * shape. Sub-millisecond digits are truncated, as the DuckDB connector does.
 *
 * @example pgTimestampToIso('2026-01-31 00:00:00') // '2026-01-31T00:00:00.000Z'
 */
export function pgTimestampToIso(text: string): string {
  return sqlTimestampToIso(text);
}

/**
 * The same rewrite for any server whose UTC session prints `YYYY-MM-DD HH:MM:SS[.ffffff]`
 * (PostgreSQL's `timestamp`, MySQL's `DATETIME` and `TIMESTAMP` with `time_zone = '+00:00'`).
 *
 * @example sqlTimestampToIso('2026-02-01 12:30:45.123000') // '2026-02-01T12:30:45.123Z'
 */
export function sqlTimestampToIso(text: string): string {
  const match = PG_TIMESTAMP.exec(text);
  if (!match) return text; // 'infinity', '-infinity', BC dates, years past 9999
  const fraction = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  return `${match[1]}T${match[2]}.${fraction}Z`;
}
