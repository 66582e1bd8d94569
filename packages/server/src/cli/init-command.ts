import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { introspectPostgres } from '../init/introspect-postgres.js';
import { introspectDuckdb } from '../init/introspect-duckdb.js';
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
    return 'the given PostgreSQL URL';
  }
}

/**
 * `perch init --from <postgres-url | duckdb-file> [--schema S] [--out model/]`: write a starter
 * model from an existing database. Every dataset gets an undecided row-level security stub, so
 * the model is refused (default deny) until the developer decides; `perch check` lists each.
 */
export function registerInitCommand(program: Command): void {
  program
    .command('init')
    .description('write a starter model from an existing PostgreSQL database or DuckDB file')
    .requiredOption('--from <source>', 'postgres://… URL or a DuckDB file')
    .option('--schema <schema>', 'schema to read (default: public for PostgreSQL, main for DuckDB)')
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
      const isPostgres = /^postgres(ql)?:\/\//.test(options.from);
      if (!isPostgres && !existsSync(options.from)) {
        console.error(`perch init: ${options.from} is neither a postgres:// URL nor an existing DuckDB file`);
        process.exitCode = 1;
        return;
      }
      const schema = options.schema ?? (isPostgres ? 'public' : 'main');
      const shape = isPostgres ? await introspectPostgres(options.from, schema) : await introspectDuckdb(resolve(options.from), schema);
      if (shape.tables.length === 0) {
        console.error(`perch init: no tables in schema ${schema} of ${isPostgres ? redacted(options.from) : options.from}`);
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
    });
}
