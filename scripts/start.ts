/**
 * `npm start`: Perch with embedded defaults, plus the demo host application on another origin.
 *
 * 1. Perch starts on 127.0.0.1:4100 (the first start generates the demo warehouse, with a
 *    progress bar, and creates the metadata store under ./.perch/).
 * 2. A development API key for the demo host is created once and kept in .perch/demo-host.key.
 * 3. The demo host starts on 127.0.0.1:3000 and mints tokens with that key, server-side.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../packages/server/src/config.js';
import { closeOnSignals, startPerch } from '../packages/server/src/server.js';
import { DEFAULT_WORKSPACE_ID } from '../packages/server/src/store/workspaces.js';
import { startDemoHost } from '../examples/demo-host/src/index.js';

const DEMO_HOST_PORT = Number(process.env.DEMO_HOST_PORT ?? 3000);
const DEMO_ORIGINS = [`http://127.0.0.1:${DEMO_HOST_PORT}`, `http://localhost:${DEMO_HOST_PORT}`];

async function main(): Promise<void> {
  const config = loadConfig();
  const perch = await startPerch({
    config,
    onBootstrapKey: (key) => console.log(`\nAdmin API key (shown once; store it now):\n  ${key}\n`),
  });
  closeOnSignals(perch, perch.ctx.logger);

  const dataDir = resolve(config.cwd, config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const keyFile = join(dataDir, 'demo-host.key');
  let apiKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  if (!apiKey) {
    const created = await perch.ctx.apiKeys.create({ workspaceId: DEFAULT_WORKSPACE_ID, name: 'demo host', env: 'test', scopes: ['tokens:create'] });
    apiKey = created.key;
    writeFileSync(keyFile, apiKey + '\n', { mode: 0o600 });
  }
  const workspace = perch.ctx.workspaces.get(DEFAULT_WORKSPACE_ID);
  if (workspace && workspace.authorizedOrigins.size === 0) await perch.ctx.workspaces.setOrigins(DEFAULT_WORKSPACE_ID, DEMO_ORIGINS);

  const host = await startDemoHost({ port: DEMO_HOST_PORT, host: '127.0.0.1', perchUrl: perch.url, apiKey });
  console.log(`Perch:     ${perch.url}  (API docs: ${perch.url}/docs)`);
  console.log(`Demo host: ${host.url}  ← open this and log in as a demo user`);
  process.once('SIGTERM', () => void host.close());
  process.once('SIGINT', () => void host.close());
}

main().catch((error: unknown) => {
  console.error(`perch: ${(error as Error).message}`);
  process.exit(1);
});
