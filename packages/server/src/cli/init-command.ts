import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { introspectPostgres } from '../init/introspect-postgres.js';
import { introspectDuckdb } from '../init/introspect-duckdb.js';
import { databaseOfMysqlUrl, introspectMysql } from '../init/introspect-mysql.js';
import type { DatabaseShape } from '../init/database-shape.js';
import { starterModel } from '../init/starter-model.js';

/** The file `perch init` writes inside `--out`. */
export const STARTER_FILE = 'starter.yaml';

interface InitOptions {
  from: string;
  schema?: string;
  out: string;
}

/** A connection URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given database URL';
  }
}

/** Where `--from` points: a server by its URL's scheme, otherwise a DuckDB file. */
type Source = { kind: 'postgres'; url: string } | { kind: 'mysql'; url: string } | { kind: 'duckdb'; path: string };

function sourceOf(from: string): Source {
  if (/^postgres(ql)?:\/\//i.test(from)) return { kind: 'postgres', url: from };
  // The same schemes as PERCH_WAREHOUSE_URL (config.ts), so the URL given here also serves the model.
  if (/^(mysql|mariadb):\/\//i.test(from)) return { kind: 'mysql', url: from };
  return { kind: 'duckdb', path: resolve(from) };
}

/** The schema to read when `--schema` is not given; MySQL's is the URL's database. */
function defaultSchema(source: Source): string | undefined {
  if (source.kind === 'postgres') return 'public';
  if (source.kind === 'mysql') return databaseOfMysqlUrl(source.url);
  return 'main';
}

function introspect(source: Source, schema: string): Promise<DatabaseShape> {
  if (source.kind === 'postgres') return introspectPostgres(source.url, schema);
  if (source.kind === 'mysql') return introspectMysql(source.url, schema);
  return introspectDuckdb(source.path, schema);
}

/**
 * The environment that serves the written model from the same database. The password is never
 * printed: it stays wherever the developer keeps it, and perch.yaml holds no secrets.
 */
function serveHint(source: Source, out: string): string {
  const warehouse = source.kind === 'duckdb' ? `PERCH_WAREHOUSE_PATH=${source.path}` : `PERCH_WAREHOUSE_URL=${redacted(source.url)}`;
  return `Serve it with: PERCH_MODEL_DIR=${out} ${warehouse} npm run perch -- start`;
}

/**
 * `perch init --from <postgres-url | mysql-url | duckdb-file> [--schema S] [--out model/]`: write a
 * starter model from an existing database. Every dataset gets an undecided row-level security
 * stub, so the model is refused (default deny) until the developer decides; `perch check` lists
 * each. It ends by printing the environment that serves the model from the same database.
 *
 * @example
 * // npm run perch -- init --from mysql://perch_reader:…@db:3306/app --out my-model
 * registerInitCommand(program);
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a starter model from an existing PostgreSQL or MySQL/MariaDB database, or a DuckDB file')
    .requiredOption('--from <source>', 'postgres://… or mysql://… (mariadb://…) URL, or a DuckDB file')
    .option('--schema <schema>', "schema to read (default: public for PostgreSQL, the URL's database for MySQL, main for DuckDB)")
    .option('--out <dir>', 'directory for the model (must hold no model files yet)', 'model')
    .action(async (options: InitOptions) => {
      const out = resolve(process.cwd(), options.out);
      // Never mix with, or overwrite, an existing model: every *.yaml in the directory is loaded.
      const existing = existsSync(out) ? (await readdir(out)).filter((name) => /\.ya?ml$/.test(name)) : [];
      if (existing.length > 0) {
        console.error(`perch init: ${out} already holds model files (${existing.join(', ')}); choose an empty directory with --out`);
        process.exitCode = 1;
        return;
      }
      const source = sourceOf(options.from);
      if (source.kind === 'duckdb' && !existsSync(source.path)) {
        console.error(`perch init: ${options.from} is neither a postgres:// or mysql:// URL nor an existing DuckDB file`);
        process.exitCode = 1;
        return;
      }
      const schema = options.schema ?? defaultSchema(source);
      if (schema === undefined) {
        console.error(`perch init: ${redacted(options.from)} names no database; add it to the URL (mysql://user@host:3306/yourdb) or pass --schema`);
        process.exitCode = 1;
        return;
      }
      let shape: DatabaseShape;
      try {
        shape = await introspect(source, schema);
      } catch (error) {
        // A refused login or an unknown host is the developer's to fix: say so in one line, with
        // the URL's password masked, rather than a stack trace.
        const where = source.kind === 'duckdb' ? options.from : redacted(options.from);
        console.error(`perch init: could not read ${where}: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
        return;
      }
      if (shape.tables.length === 0) {
        console.error(`perch init: no tables in ${source.kind === 'mysql' ? 'database' : 'schema'} ${schema} of ${source.kind === 'duckdb' ? options.from : redacted(options.from)}`);
        process.exitCode = 1;
        return;
      }
      const model = starterModel(shape);
      await mkdir(out, { recursive: true });
      const file = join(out, STARTER_FILE);
      await writeFile(file, model.yaml, { flag: 'wx' });
      console.log(`Wrote ${file}: ${model.datasets.length} datasets (${model.datasets.join(', ')})${model.dashboard ? `, dashboard ${model.dashboard}` : ''}.`);
      for (const table of model.skippedTables) console.log(`Left out table ${table}: its name or column types cannot be modelled.`);
      console.log(`Next: decide row-level security for each dataset; \`perch check ${options.out}\` lists what is left (see docs/own-data.md).`);
      console.log(serveHint(source, options.out));
    });
}
