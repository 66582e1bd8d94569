import { SqlCompiler } from './base.js';

/**
 * PostgreSQL. Parameters are `$n` (extended protocol via `pg`); lists are expanded to
 * `IN ($1, $2, …)` like DuckDB, so one plan has the same shape in both dialects.
 */
export class PostgresCompiler extends SqlCompiler {
  readonly dialect = 'postgres' as const;

  override castToDouble(expr: string): string {
    return `CAST(${expr} AS DOUBLE PRECISION)`;
  }
}
