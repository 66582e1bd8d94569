/**
 * One Perch process on the embedded store, configured from the environment, for the shutdown
 * test. Prints `{url}` when it listens; SIGTERM shuts it down gracefully.
 */
import { closeOnSignals, startPerch } from '../../src/server.js';
import { loadConfig } from '../../src/config.js';

const config = loadConfig({
  overrides: {
    port: 0,
    logLevel: 'warn',
    limits: { apiKeyRatePerMinute: 1_000_000, tokenRatePerMinute: 1_000_000 },
    warehouse: { type: 'duckdb', path: process.env.TEST_WAREHOUSE_PATH!, demo: true, demoOrders: 1000 },
  },
});
const perch = await startPerch({ config, port: 0 });
process.stdout.write(`${JSON.stringify({ url: perch.url })}\n`);
closeOnSignals(perch, perch.ctx.logger);
