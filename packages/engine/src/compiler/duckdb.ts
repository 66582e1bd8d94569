import { SqlCompiler } from './base.js';

/**
 * DuckDB. Parameters are `$n` and bound positionally with `@duckdb/node-api`'s
 * `prepared.bind([...])`; lists are expanded to `IN ($1, $2, …)`, so no list binding is needed.
 * `AT TIME ZONE` uses the ICU extension built into the Node bindings.
 */
export class DuckDbCompiler extends SqlCompiler {
  readonly dialect = 'duckdb' as const;

  override castToDouble(expr: string): string {
    return `CAST(${expr} AS DOUBLE)`;
  }
}
