import mysql from 'mysql2/promise';
import { kindOfType, type ColumnKind, type DatabaseShape, type TableShape } from './database-shape.js';

/**
 * A MySQL/MariaDB column's dimension type. `TINYINT(1)` is MySQL's `BOOLEAN`, and the connector
 * reads that width (and only that one) as `true`/`false`, so init models it as a boolean too;
 * MySQL's own names for integers and texts are mapped before the shared ones.
 *
 * @example
 * kindOfMysqlColumn('tinyint', 'tinyint(1)'); // 'boolean'
 * kindOfMysqlColumn('longtext', 'longtext');  // 'string'
 */
export function kindOfMysqlColumn(dataType: string, columnType: string): ColumnKind | undefined {
  if (/^tinyint\(1\)/i.test(columnType)) return 'boolean';
  if (/^mediumint/i.test(dataType)) return 'number';
  if (/^(tinytext|mediumtext|longtext|set)/i.test(dataType)) return 'string';
  // TIME is a duration and YEAR a calendar label, not instants or amounts: left out, as
  // PostgreSQL's interval is, rather than summed or bucketed by month.
  if (/^(time|year)$/i.test(dataType)) return undefined;
  return kindOfType(dataType);
}

/** `name` as a MySQL identifier (backticks doubled), for the one statement built from catalog names. */
function quoted(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/**
 * The database named in a `mysql://` or `mariadb://` URL's path, or `undefined` when it names none.
 *
 * @example
 * databaseOfMysqlUrl('mysql://reader@db:3306/app'); // 'app'
 * databaseOfMysqlUrl('mysql://reader@db:3306/');    // undefined
 */
export function databaseOfMysqlUrl(url: string): string | undefined {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? undefined : name;
}

/**
 * MariaDB's JSON is a LONGTEXT with a `json_valid(col)` check, so `information_schema.columns`
 * calls it text; these checks find it, so JSON is left out as it is on MySQL and PostgreSQL rather
 * than offered as a string dimension. Keys are `table.column`. MySQL's JSON is a type of its own
 * and its check_constraints has no table_name: the query fails there and nothing is found.
 */
async function mariadbJsonColumns(connection: mysql.Connection, database: string): Promise<Set<string>> {
  try {
    const [checks] = await connection.execute<Array<mysql.RowDataPacket & { table_name: string; clause: string }>>(
      'SELECT table_name AS table_name, check_clause AS clause FROM information_schema.check_constraints WHERE constraint_schema = ?',
      [database],
    );
    const found = new Set<string>();
    for (const check of checks) {
      const column = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(check.clause.trim())?.[1];
      if (column !== undefined) found.add(`${check.table_name}.${column.replace(/``/g, '`')}`);
    }
    return found;
  } catch {
    return new Set();
  }
}

/**
 * Read tables, columns, primary and foreign keys of one MySQL/MariaDB database from
 * `information_schema`. The session is read-only; the only other statement is one `COUNT(*)` per
 * table whose row estimate is missing (views, freshly filled InnoDB tables).
 *
 * @example
 * const shape = await introspectMysql('mysql://perch_reader:…@db:3306/app', 'app');
 */
export async function introspectMysql(url: string, database: string): Promise<DatabaseShape> {
  const connection = await mysql.createConnection({ uri: url, multipleStatements: false, flags: ['-LOCAL_FILES'] });
  try {
    // Introspection only reads; every later transaction of the session refuses writes.
    await connection.query('SET SESSION TRANSACTION READ ONLY');
    const [tables] = await connection.execute<Array<mysql.RowDataPacket & { name: string; estimate: number | string | null }>>(
      `SELECT table_name AS name, table_rows AS estimate FROM information_schema.tables
        WHERE table_schema = ? AND table_type IN ('BASE TABLE', 'VIEW', 'SYSTEM VERSIONED') ORDER BY table_name`,
      [database],
    );
    const [columns] = await connection.execute<Array<mysql.RowDataPacket & { table_name: string; column_name: string; data_type: string; column_type: string }>>(
      `SELECT table_name AS table_name, column_name AS column_name, data_type AS data_type, column_type AS column_type
         FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position`,
      [database],
    );
    // Keys of other databases cannot become joins (a dataset's source is in this one), so only
    // references within it are read, like the PostgreSQL introspection does per schema.
    const [keys] = await connection.execute<Array<mysql.RowDataPacket & { table_name: string; name: string; column_name: string; referenced_table: string | null; referenced_column: string | null }>>(
      `SELECT table_name AS table_name, constraint_name AS name, column_name AS column_name,
              referenced_table_name AS referenced_table, referenced_column_name AS referenced_column
         FROM information_schema.key_column_usage
        WHERE table_schema = ? AND (constraint_name = 'PRIMARY' OR referenced_table_schema = ?)
        ORDER BY table_name, constraint_name, ordinal_position`,
      [database, database],
    );
    const json = await mariadbJsonColumns(connection, database);
    const shapes: TableShape[] = [];
    for (const table of tables) {
      const own = keys.filter((k) => k.table_name === table.name);
      const primary = new Set(own.filter((k) => k.name === 'PRIMARY').map((k) => k.column_name));
      const foreign = new Map<string, { columns: string[]; referencedTable: string; referencedColumns: string[] }>();
      for (const key of own) {
        if (key.name === 'PRIMARY' || key.referenced_table === null || key.referenced_column === null) continue;
        const entry = foreign.get(key.name) ?? { columns: [], referencedTable: key.referenced_table, referencedColumns: [] };
        entry.columns.push(key.column_name);
        entry.referencedColumns.push(key.referenced_column);
        foreign.set(key.name, entry);
      }
      let rows = Number(table.estimate ?? 0);
      if (!(rows > 0)) {
        // No estimate yet: count, so the largest table (the starter dashboard's) is really the largest.
        const [counted] = await connection.query<Array<mysql.RowDataPacket & { n: number | string }>>(`SELECT COUNT(*) AS n FROM ${quoted(database)}.${quoted(table.name)}`);
        rows = Number(counted[0]?.n ?? 0);
      }
      shapes.push({
        name: table.name,
        rows,
        columns: columns
          .filter((c) => c.table_name === table.name)
          .map((c) =>
            json.has(`${table.name}.${c.column_name}`)
              ? { name: c.column_name, databaseType: 'json', kind: undefined, primaryKey: primary.has(c.column_name) }
              : { name: c.column_name, databaseType: c.column_type, kind: kindOfMysqlColumn(c.data_type, c.column_type), primaryKey: primary.has(c.column_name) },
          ),
        foreignKeys: [...foreign.values()],
      });
    }
    return { dialect: 'mysql', schema: database, qualify: database !== databaseOfMysqlUrl(url), tables: shapes };
  } finally {
    await connection.end();
  }
}
