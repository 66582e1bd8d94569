import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTypeId,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { CellValue, ColumnType } from './connector.js';
import { isoFromEpochMillis } from './time-format.js';

const NUMBER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
  DuckDBTypeId.BIGNUM,
]);

const TIME_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.DATE,
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

/** Maps a DuckDB column type onto Perch's small column-type vocabulary. */
export function duckdbColumnType(typeId: DuckDBTypeId): ColumnType {
  if (typeId === DuckDBTypeId.BOOLEAN) return 'boolean';
  if (NUMBER_TYPES.has(typeId)) return 'number';
  if (TIME_TYPES.has(typeId)) return 'time';
  return 'string';
}

/**
 * Normalises one DuckDB value to the cell representation shared by every connector:
 * numbers (including BIGINT/HUGEINT/DECIMAL) → JS number, timestamps → ISO-8601 UTC with
 * milliseconds, dates → `YYYY-MM-DD`, anything exotic → its DuckDB text form.
 */
export function normaliseDuckDBValue(value: DuckDBValue): CellValue {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return value;
    case 'bigint':
      // Precision above 2^53 is lost; documented in docs/connectors.md.
      return Number(value);
    default:
      break;
  }
  if (value instanceof DuckDBDecimalValue) return value.toDouble();
  if (value instanceof DuckDBDateValue) return value.isFinite ? value.toString() : infinity(value.days);
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) return fromMicros(value.micros, value.isFinite);
  if (value instanceof DuckDBTimestampMillisecondsValue) return value.isFinite ? isoFromEpochMillis(Number(value.millis)) : infinity(value.millis);
  if (value instanceof DuckDBTimestampSecondsValue) return value.isFinite ? isoFromEpochMillis(Number(value.seconds) * 1000) : infinity(value.seconds);
  if (value instanceof DuckDBTimestampNanosecondsValue) return fromMicros(floorDiv(value.nanos, 1000n), value.isFinite);
  return String(value);
}

function fromMicros(micros: bigint, isFinite: boolean): string {
  if (!isFinite) return infinity(micros);
  return isoFromEpochMillis(Number(floorDiv(micros, 1000n)));
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

function infinity(sign: bigint | number): string {
  return sign > 0 ? 'infinity' : '-infinity';
}
