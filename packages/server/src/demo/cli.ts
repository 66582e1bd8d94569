import { parseArgs } from 'node:util';
import { generateDemoWarehouse } from './generate-warehouse.js';
import { loadDemoIntoMysql } from './load-mysql.js';
import { loadDemoIntoPostgres } from './load-postgres.js';

/**
 * `node --import tsx packages/server/src/demo/cli.ts --path .perch/demo.duckdb [--orders 1000000]
 *   [--postgres <url> [--schema public]] [--mysql <url>] [--quiet]`
 *
 * Generates the demo warehouse (skipped when current) and optionally copies it into PostgreSQL
 * and/or MySQL/MariaDB (the database named in the URL).
 */
export async function runDemoCli(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      path: { type: 'string', default: '.perch/demo.duckdb' },
      orders: { type: 'string', default: '1000000' },
      postgres: { type: 'string' },
      schema: { type: 'string', default: 'public' },
      mysql: { type: 'string' },
      quiet: { type: 'boolean', default: false },
    },
  });
  const orders = Number(values.orders);
  const warehouse = await generateDemoWarehouse({ path: values.path, orders, quiet: values.quiet, today: new Date() });
  process.stdout.write(`${warehouse.generated ? 'Generated' : 'Up to date'}: ${warehouse.path} (${warehouse.orders} orders)\n`);
  if (values.postgres) {
    const loaded = await loadDemoIntoPostgres({ url: values.postgres, schema: values.schema, sourcePath: warehouse.path, quiet: values.quiet });
    process.stdout.write(`${loaded.loaded ? 'Loaded' : 'Up to date'}: PostgreSQL schema ${loaded.schema} (${loaded.orders} orders)\n`);
  }
  if (values.mysql) {
    const loaded = await loadDemoIntoMysql({ url: values.mysql, sourcePath: warehouse.path, quiet: values.quiet });
    process.stdout.write(`${loaded.loaded ? 'Loaded' : 'Up to date'}: MySQL database ${loaded.schema} (${loaded.orders} orders)\n`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDemoCli(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
