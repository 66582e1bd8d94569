/**
 * One Perch replica for the production tests: `startPerch` configured from the environment
 * (DATABASE_URL, PERCH_DATABASE_SCHEMA, PERCH_CONFIG, …). Prints one JSON line `{url}` when it
 * listens; SIGTERM shuts it down gracefully.
 */
import { closeOnSignals, startPerch } from '../../src/server.js';

const perch = await startPerch({ onBootstrapKey: () => undefined });
process.stdout.write(`${JSON.stringify({ url: perch.url, pid: process.pid })}\n`);
closeOnSignals(perch, perch.ctx.logger);
