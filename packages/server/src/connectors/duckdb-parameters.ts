import { BIGINT, DOUBLE, LIST, VARCHAR, listValue, timestampValue, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { PerchError } from '@perch/protocol';
import type { SqlParameter } from '@perch/engine';

/**
 * Binds governed parameters positionally (`$1…`) with explicit DuckDB types, so a value is
 * never text-substituted into SQL and its type never depends on DuckDB's guesswork:
 *
 * - string → VARCHAR, boolean → BOOLEAN, null → NULL
 * - integer number → BIGINT (compares correctly with INTEGER and DOUBLE columns), other → DOUBLE
 * - Date → TIMESTAMP (UTC instant, microseconds)
 * - array → LIST(VARCHAR) | LIST(BIGINT) | LIST(DOUBLE); an empty or mixed array is LIST(VARCHAR)
 *   (mixed items are bound as their text, exactly as the PostgreSQL connector does)
 */
export function bindDuckDBParameters(statement: DuckDBPreparedStatement, parameters: readonly SqlParameter[]): void {
  if (statement.parameterCount !== parameters.length) {
    throw new PerchError('internal_error', {
      detail: `duckdb statement expects ${statement.parameterCount} parameters, got ${parameters.length}`,
    });
  }
  parameters.forEach((value, i) => bindOne(statement, i + 1, value));
}

function bindOne(statement: DuckDBPreparedStatement, index: number, value: SqlParameter): void {
  if (value === null) return statement.bindNull(index);
  if (typeof value === 'string') return statement.bindVarchar(index, value);
  if (typeof value === 'boolean') return statement.bindBoolean(index, value);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? statement.bindBigInt(index, BigInt(value)) : statement.bindDouble(index, value);
  }
  if (value instanceof Date) return statement.bindTimestamp(index, timestampValue(dateToMicros(value, index)));
  return bindList(statement, index, value);
}

function bindList(statement: DuckDBPreparedStatement, index: number, items: ReadonlyArray<string | number>): void {
  if (items.length > 0 && items.every((item) => typeof item === 'number')) {
    const numbers = items as readonly number[];
    if (numbers.every(Number.isSafeInteger)) return statement.bindList(index, listValue(numbers.map((n) => BigInt(n))), LIST(BIGINT));
    return statement.bindList(index, listValue(numbers), LIST(DOUBLE));
  }
  return statement.bindList(index, listValue(items.map(String)), LIST(VARCHAR));
}

function dateToMicros(date: Date, index: number): bigint {
  const millis = date.getTime();
  if (Number.isNaN(millis)) throw new PerchError('invalid_filter_value', { path: `parameters.${index - 1}`, message: 'Invalid date.' });
  return BigInt(millis) * 1000n;
}
