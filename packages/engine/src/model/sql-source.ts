/**
 * Checks that a dataset's `source: { sql }` is one read-only query. The model is written by the
 * operator, not by a client, but a model file is also an easy place to paste something dangerous,
 * so Perch is strict: one SELECT/WITH statement, no comments, no DDL/DML/session keywords and no
 * functions that read files or run SQL from strings (Grafana CVE-2024-9264 reached DuckDB's
 * file readers). This is a deny-list over a tokenised text; the datasource's own read-only
 * settings (DuckDB external access off, PostgreSQL read-only transactions) are the second wall.
 */

const FORBIDDEN_KEYWORDS = new Set([
  'insert', 'update', 'delete', 'merge', 'upsert', 'create', 'drop', 'alter', 'truncate', 'grant', 'revoke', 'copy',
  'attach', 'detach', 'install', 'load', 'pragma', 'set', 'reset', 'call', 'export', 'import', 'vacuum', 'checkpoint',
  'execute', 'prepare', 'deallocate', 'begin', 'commit', 'rollback', 'lock', 'listen', 'notify', 'do', 'into', 'use',
]);

const FORBIDDEN_FUNCTIONS = new Set([
  // DuckDB file and string-SQL readers
  'read_csv', 'read_csv_auto', 'read_parquet', 'parquet_scan', 'read_json', 'read_json_auto', 'read_json_objects',
  'read_json_objects_auto', 'read_ndjson', 'read_ndjson_auto', 'read_ndjson_objects', 'read_text', 'read_blob', 'glob',
  'sniff_csv', 'parquet_metadata', 'parquet_schema', 'parquet_file_metadata', 'parquet_kv_metadata', 'query', 'query_table',
  'iceberg_scan', 'delta_scan', 'read_xlsx', 'sqlite_scan', 'postgres_scan', 'mysql_scan', 'getenv',
  // PostgreSQL server-file and remote access
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'lo_import', 'lo_export', 'dblink', 'dblink_exec',
  'pg_sleep', 'set_config', 'current_setting',
]);

/** Returns a reason when the SQL is not an acceptable read-only source, otherwise `undefined`. */
export function readOnlySqlProblem(sql: string): string | undefined {
  if (sql.includes('\u0000')) return 'contains a NUL byte';
  if (/--|\/\*/.test(stripQuoted(sql))) return 'comments are not allowed in a SQL source';
  const code = stripQuoted(sql);
  if (code.includes(';')) return 'only a single statement is allowed (found ";")';
  if (code.includes('$')) return 'dollar quoting and parameters are not allowed in a SQL source';
  const words = [...code.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)].map((m) => ({ word: m[0].toLowerCase(), end: (m.index ?? 0) + m[0].length }));
  const first = words[0]?.word;
  if (first !== 'select' && first !== 'with') return 'a SQL source must start with SELECT or WITH';
  for (const { word, end } of words) {
    if (FORBIDDEN_KEYWORDS.has(word)) return `"${word}" is not allowed in a read-only SQL source`;
    if (FORBIDDEN_FUNCTIONS.has(word) && /^\s*\(/.test(code.slice(end))) return `the function "${word}" is not allowed in a SQL source`;
  }
  // A function may be named by a quoted identifier too ("read_text"(…), "pg_catalog"."set_config"(…)).
  // Only calls are checked: a quoted column may well be named "update" or "query".
  for (const call of blankStringContents(sql).matchAll(/"((?:[^"]|"")*)"\s*\(/g)) {
    const name = call[1]!.replace(/""/g, '"').toLowerCase();
    if (FORBIDDEN_FUNCTIONS.has(name)) return `the function "${name}" is not allowed in a SQL source`;
  }
  // DuckDB treats a string literal in FROM/JOIN position as a file to scan ("replacement scan").
  if (/\b(from|join)\s*(,\s*)?'/i.test(blankQuotedContents(sql))) return 'a string literal cannot be used as a table (file scans are not allowed)';
  return undefined;
}

/** Remove string literals and quoted identifiers, keeping the rest. */
function stripQuoted(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, ' ');
}

/** Blank the contents of string literals only, so a quote inside one cannot start an identifier. */
function blankStringContents(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''");
}

/** Keep the quotes of string literals but blank their contents, so positions stay comparable. */
function blankQuotedContents(sql: string): string {
  return sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""');
}
