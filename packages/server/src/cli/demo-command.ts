import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { generateDemoWarehouse, loadDemoIntoMysql, loadDemoIntoPostgres } from '../demo/index.js';

/**
 * `perch demo generate` and `perch demo load --postgres URL` / `--mysql URL`: the deterministic
 * demo warehouse, in DuckDB and (the same rows) in PostgreSQL or MySQL/MariaDB, so the connectors
 * can be compared on identical data.
 */
export function registerDemoCommand(program: Command): void {
  const demo = program.command('demo').description('the deterministic demo warehouse');
  const defaultPath = () => {
    const config = loadConfig();
    return config.warehouse.type === 'duckdb' ? resolve(config.cwd, config.warehouse.path) : resolve(config.cwd, config.dataDir, 'warehouse.duckdb');
  };

  demo
    .command('generate')
    .description('generate the DuckDB demo warehouse (skipped when it is current)')
    .option('--path <file>', 'DuckDB file (default: the configured warehouse)')
    .option('--orders <n>', 'number of orders', '1000000')
    .action(async (opts: { path?: string; orders: string }) => {
      const orders = Number(opts.orders);
      if (!Number.isInteger(orders) || orders < 1000) throw new Error('--orders must be a whole number of at least 1000');
      const result = await generateDemoWarehouse({ path: opts.path ?? defaultPath(), orders, today: new Date() });
      console.log(`${result.generated ? 'Generated' : 'Up to date'}: ${result.path} (${result.orders} orders)`);
    });

  demo
    .command('load')
    .description('load the demo warehouse into PostgreSQL or MySQL/MariaDB (generating it first when needed)')
    .option('--postgres <url>', 'PostgreSQL connection URL')
    .option('--schema <name>', 'target PostgreSQL schema', 'public')
    .option('--mysql <url>', 'MySQL/MariaDB connection URL (mysql://user:password@host:3306/database)')
    .option('--database <name>', "target MySQL/MariaDB database, created if missing (default: the URL's database)")
    .option('--path <file>', 'DuckDB demo file to copy from (default: the configured warehouse)')
    .option('--orders <n>', 'number of orders', '1000000')
    .action(async (opts: { postgres?: string; schema: string; mysql?: string; database?: string; path?: string; orders: string }) => {
      if (Boolean(opts.postgres) === Boolean(opts.mysql)) throw new Error('give exactly one of --postgres <url> or --mysql <url>');
      const orders = Number(opts.orders);
      if (!Number.isInteger(orders) || orders < 1000) throw new Error('--orders must be a whole number of at least 1000');
      const source = await generateDemoWarehouse({ path: opts.path ?? defaultPath(), orders, today: new Date() });
      if (opts.mysql) {
        const loaded = await loadDemoIntoMysql({ url: opts.mysql, sourcePath: source.path, ...(opts.database ? { database: opts.database } : {}) });
        console.log(`${loaded.loaded ? 'Loaded' : 'Up to date'}: MySQL database ${loaded.schema} (${loaded.orders} orders)`);
        return;
      }
      const loaded = await loadDemoIntoPostgres({ url: opts.postgres!, schema: opts.schema, sourcePath: source.path });
      console.log(`${loaded.loaded ? 'Loaded' : 'Up to date'}: PostgreSQL schema ${loaded.schema} (${loaded.orders} orders)`);
    });
}
