import type { Param } from '../nodes.js';
import { SqlCompiler } from './base.js';

/** 1900-01-01, a Monday: the epoch every bucket counts from, so weeks start on Monday as in DuckDB and PostgreSQL. */
const EPOCH = "TIMESTAMP '1900-01-01 00:00:00'";
/** `TO_DAYS('1900-01-01')`. */
const EPOCH_DAYS = 693961;
/** `1900-01` as a MySQL period (`YYYYMM`). */
const EPOCH_PERIOD = 190001;

/**
 * MySQL 8 and MariaDB 10.6+. Parameters are `?`, bound positionally as server-side prepared
 * statements (`mysql2`'s `execute`); lists are expanded to `IN (?, ?, …)` like the other dialects.
 * Identifiers are quoted with backticks, embedded backticks doubled.
 *
 * Only hooks differ from the base compiler:
 * - time buckets count whole units from a fixed Monday epoch with `TIMESTAMPADD`, so each bucket
 *   reads its (placeholder-carrying) argument exactly once: a `?` that appeared twice would need
 *   its value bound twice;
 * - the zone conversion is `CONVERT_TZ(col, '+00:00', ?)`. `UTC` is bound as `+00:00`, which needs
 *   no time zone tables; any other named zone needs the server's zone tables loaded
 *   (docs/connectors.md), without them `CONVERT_TZ` yields NULL;
 * - `ILIKE` becomes `LOWER(x) LIKE LOWER(?)`: MySQL has no `ILIKE`, and a column's own collation
 *   may be case-sensitive (`utf8mb4_bin`), so both sides are folded explicitly;
 * - `AVG` and division use `DOUBLE`: MySQL averages integers as a `DECIMAL` rounded to four places,
 *   which would answer differently from the other connectors.
 */
export class MySqlCompiler extends SqlCompiler {
  readonly dialect = 'mysql' as const;

  override quoteIdentifier(name: string): string {
    return `\`${name.replace(/`/g, '``')}\``;
  }

  override placeholder(): string {
    return '?';
  }

  /** Timestamps are bound as `YYYY-MM-DD HH:MM:SS` UTC text; `DATETIME(6)` keeps microseconds. */
  override typedPlaceholder(placeholder: string, cast: NonNullable<Param['cast']>): string {
    return cast === 'timestamp' ? `CAST(${placeholder} AS DATETIME(6))` : placeholder;
  }

  override dateTrunc(unit: string, expr: string, timezone: string): string {
    const local = `CONVERT_TZ(${expr}, '+00:00', ${timezone})`;
    switch (unit) {
      case 'day':
        return `TIMESTAMPADD(DAY, TO_DAYS(${local}) - ${EPOCH_DAYS}, ${EPOCH})`;
      case 'week':
        return `TIMESTAMPADD(WEEK, FLOOR((TO_DAYS(${local}) - ${EPOCH_DAYS}) / 7), ${EPOCH})`;
      case 'month':
        return `TIMESTAMPADD(MONTH, PERIOD_DIFF(EXTRACT(YEAR_MONTH FROM ${local}), ${EPOCH_PERIOD}), ${EPOCH})`;
      case 'quarter':
        return `TIMESTAMPADD(QUARTER, FLOOR(PERIOD_DIFF(EXTRACT(YEAR_MONTH FROM ${local}), ${EPOCH_PERIOD}) / 3), ${EPOCH})`;
      case 'year':
        return `TIMESTAMPADD(YEAR, YEAR(${local}) - 1900, ${EPOCH})`;
    }
    throw new Error(`unknown date granularity ${unit}`);
  }

  /** `UTC` travels as the offset `+00:00`, which `CONVERT_TZ` understands without zone tables. */
  protected override timezoneParam(node: Param): Param {
    return node.value === 'UTC' ? { ...node, value: '+00:00' } : node;
  }

  override ilike(expr: string, pattern: string): string {
    // `'\\'` is one backslash in MySQL's default sql_mode, which the connector pins per connection.
    return `LOWER(${expr}) LIKE LOWER(${pattern}) ESCAPE '\\\\'`;
  }

  override average(arg: string): string {
    return `AVG(${this.castToDouble(arg)})`;
  }

  override castToDouble(expr: string): string {
    return `CAST(${expr} AS DOUBLE)`;
  }
}
