import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { closeOnSignals, startPerch } from '../server.js';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('start the Perch server')
    .option('--port <port>', 'port to listen on (default from perch.yaml or 4100)')
    .action(async (opts: { port?: string }) => {
      const config = loadConfig();
      const perch = await startPerch({
        config,
        ...(opts.port ? { port: Number(opts.port) } : {}),
        onBootstrapKey: (key) => console.log(`\nAdmin API key (shown once; store it now):\n  ${key}\n`),
      });
      console.log(`Perch listening on ${perch.url} (OpenAPI at ${perch.url}/docs)`);
      closeOnSignals(perch, perch.ctx.logger);
    });
}
