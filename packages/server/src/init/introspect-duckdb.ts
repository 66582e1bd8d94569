import { DuckDBInstance } from '@duckdb/node-api';
import { kindOfType, type DatabaseShape, type TableShape } from './database-shape.js';

/** Read tables, columns, primary and foreign keys of one schema of a DuckDB file, opened read-only. */
export async function introspectDuckdb(path: string, schema: string): Promise<DatabaseShape> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const rowsOf = async <T>(sql: string, values: string[]): Promise<T[]> => {
      const prepared = await connection.prepare(sql);
      prepared.bind(values);
      return (await prepared.runAndReadAll()).getRowObjectsJson() as T[];
    };
    const tables = await rowsOf<{ name: string; rows: string | number | null }>(
      `SELECT table_name AS name, estimated_size AS rows FROM duckdb_tables() WHERE schema_name = $1 AND database_name = current_database() ORDER BY table_name`,
      [schema],
    );
    const columns = await rowsOf<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_catalog = current_database() ORDER BY table_name, ordinal_position`,
      [schema],
    );
    const constraints = await rowsOf<{ table_name: string; kind: string; columns: string[]; referenced_table: string | null; referenced_columns: string[] | null }>(
      `SELECT table_name, constraint_type AS kind, constraint_column_names AS columns, referenced_table, referenced_column_names AS referenced_columns
         FROM duckdb_constraints() WHERE schema_name = $1 AND database_name = current_database() AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`,
      [schema],
    );
    const shapes: TableShape[] = tables.map((table) => {
      const primary = new Set(constraints.filter((c) => c.table_name === table.name && c.kind === 'PRIMARY KEY').flatMap((c) => c.columns));
      return {
        name: table.name,
        rows: Number(table.rows ?? 0),
        columns: columns.filter((c) => c.table_name === table.name).map((c) => ({ name: c.column_name, databaseType: c.data_type, kind: kindOfType(c.data_type), primaryKey: primary.has(c.column_name) })),
        foreignKeys: constraints
          .filter((c) => c.table_name === table.name && c.kind === 'FOREIGN KEY' && c.referenced_table)
          .map((c) => ({ columns: c.columns, referencedTable: c.referenced_table!, referencedColumns: c.referenced_columns ?? [] })),
      };
    });
    return { dialect: 'duckdb', schema, qualify: schema !== 'main', tables: shapes };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
