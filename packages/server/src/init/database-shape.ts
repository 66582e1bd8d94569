/** What `perch init` learns from a database: tables, typed columns, foreign keys, sizes. */

/** A column's dimension type, or `undefined` for types Perch does not model (JSON, arrays, bytes). */
export type ColumnKind = 'string' | 'number' | 'boolean' | 'time';

export interface ColumnShape {
  name: string;
  /** The database's own type name, kept for the comments of skipped columns. */
  databaseType: string;
  kind: ColumnKind | undefined;
  primaryKey: boolean;
}

export interface ForeignKeyShape {
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
}

export interface TableShape {
  name: string;
  columns: ColumnShape[];
  foreignKeys: ForeignKeyShape[];
  /** Row count or the database's estimate; picks the table of the starter dashboard. */
  rows: number;
}

export interface DatabaseShape {
  /** The database the shape was read from, named in the starter model's header. */
  dialect: 'postgres' | 'duckdb' | 'mysql';
  /** Schema (MySQL: database) the tables live in; sources are written `schema.table` unless it is the default. */
  schema: string;
  qualify: boolean;
  tables: TableShape[];
}

/** Map a database type name (PostgreSQL or DuckDB spelling) to a dimension type. */
export function kindOfType(databaseType: string): ColumnKind | undefined {
  const type = databaseType.toLowerCase();
  if (/^(character varying|varchar|character|char|bpchar|text|uuid|citext|name|string|enum)/.test(type)) return 'string';
  if (/^(smallint|integer|int|bigint|hugeint|tinyint|ubigint|uinteger|usmallint|utinyint|uhugeint|numeric|decimal|real|double|float|int2|int4|int8|float4|float8)/.test(type)) return 'number';
  if (/^bool/.test(type)) return 'boolean';
  if (/^(date|timestamp)/.test(type)) return 'time';
  return undefined;
}
