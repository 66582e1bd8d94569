import pg from 'pg';
import { kindOfType, type DatabaseShape, type TableShape } from './database-shape.js';

/**
 * Read tables, columns, primary and foreign keys of one PostgreSQL schema from the catalog.
 * Only catalog queries and one `count(*)` per table whose statistics are missing; read-only.
 */
export async function introspectPostgres(url: string, schema: string): Promise<DatabaseShape> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Introspection only reads; the session refuses writes even if the role could make them.
    await client.query('SET default_transaction_read_only = on');
    const tables = await client.query<{ name: string; estimate: number }>(
      `SELECT c.relname AS name, c.reltuples::float8 AS estimate
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm') ORDER BY c.relname`,
      [schema],
    );
    const columns = await client.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
      [schema],
    );
    const keys = await client.query<{ table_name: string; kind: string; name: string; columns: string[]; referenced_table: string | null; referenced_columns: string[] | null }>(
      `SELECT t.relname AS table_name, con.contype AS kind, con.conname AS name,
              ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS columns,
              r.relname AS referenced_table,
              CASE WHEN con.contype = 'f' THEN ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] END AS referenced_columns
         FROM pg_constraint con
         JOIN pg_class t ON t.oid = con.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         LEFT JOIN pg_class r ON r.oid = con.confrelid
         LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace
        WHERE n.nspname = $1 AND con.contype IN ('p', 'f') AND (con.contype = 'p' OR rn.nspname = $1)
        ORDER BY t.relname, con.conname`,
      [schema],
    );
    const shapes: TableShape[] = [];
    for (const table of tables.rows) {
      const primary = new Set(keys.rows.filter((k) => k.table_name === table.name && k.kind === 'p').flatMap((k) => k.columns));
      let rows = Number(table.estimate);
      if (!(rows > 0)) {
        // Never analysed (reltuples is -1 or 0): count, so the largest table is really the largest.
        const counted = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table.name)}`);
        rows = Number(counted.rows[0]?.n ?? 0);
      }
      shapes.push({
        name: table.name,
        rows,
        columns: columns.rows.filter((c) => c.table_name === table.name).map((c) => ({ name: c.column_name, databaseType: c.data_type, kind: kindOfType(c.data_type), primaryKey: primary.has(c.column_name) })),
        foreignKeys: keys.rows
          .filter((k) => k.table_name === table.name && k.kind === 'f' && k.referenced_table !== null)
          .map((k) => ({ columns: k.columns, referencedTable: k.referenced_table!, referencedColumns: k.referenced_columns ?? [] })),
      });
    }
    return { dialect: 'postgres', schema, qualify: schema !== 'public', tables: shapes };
  } finally {
    await client.end();
  }
}
