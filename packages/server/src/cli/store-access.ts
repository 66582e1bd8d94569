import { resolve } from 'node:path';
import { loadConfig, type PerchConfig } from '../config.js';
import { openStoreDatabase, type StoreDatabase } from '../store/database.js';
import { ensureWorkspace, DEFAULT_WORKSPACE_ID } from '../store/workspaces.js';
import { ApiKeyService } from '../auth/api-keys.js';
import { systemClock } from '../store/clock.js';

/** Open the configured metadata store for a one-off CLI command. */
export async function withStore<T>(fn: (store: StoreDatabase, config: PerchConfig) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStoreDatabase({ databaseUrl: config.secrets.databaseUrl, schema: config.databaseSchema, dataDir: resolve(config.cwd, config.dataDir) });
  try {
    await ensureWorkspace(store.db, DEFAULT_WORKSPACE_ID, 'Default workspace');
    return await fn(store, config);
  } finally {
    await store.close();
  }
}

export async function withApiKeys<T>(fn: (keys: ApiKeyService) => Promise<T>): Promise<T> {
  return withStore((store) => fn(new ApiKeyService(store.db, systemClock)));
}
