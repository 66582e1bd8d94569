import type { DialectName } from '../governed.js';
import type { SqlCompiler } from './base.js';
import { DuckDbCompiler } from './duckdb.js';
import { MySqlCompiler } from './mysql.js';
import { PostgresCompiler } from './postgres.js';
import { PerchError } from '@perch/protocol';

export function compilerFor(dialect: DialectName): SqlCompiler {
  switch (dialect) {
    case 'duckdb':
      return new DuckDbCompiler();
    case 'postgres':
      return new PostgresCompiler();
    case 'mysql':
      return new MySqlCompiler();
    default:
      throw new PerchError('invalid_request', { path: 'dialect', message: 'unknown SQL dialect' });
  }
}
