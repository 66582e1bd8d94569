import { resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import type { PerchConfig } from './config.js';
import { openStoreDatabase, type StoreDatabase } from './store/database.js';
import { systemClock, type Clock } from './store/clock.js';
import { DEFAULT_WORKSPACE_ID, ensureWorkspace, listWorkspaces } from './store/workspaces.js';
import { countApiKeys } from './store/api-keys.js';
import { MasterKey } from './auth/master-key.js';
import { Keyring } from './auth/keyring.js';
import { RevocationList } from './auth/revocation-list.js';
import { WorkspaceDirectory } from './auth/workspace-directory.js';
import { ApiKeyService, type ApiKeySummary } from './auth/api-keys.js';
import { TokenVerifier } from './auth/token-verify.js';
import { isWellFormedApiKey } from './auth/api-key-format.js';
import type { AuditSink } from './audit/audit-event.js';
import { credentialSafeLoggerOptions } from './logging/logger-options.js';

/** Everything a route needs, built once per process. Small services, not one god object. */
export interface PerchContext {
  config: PerchConfig;
  logger: Logger;
  clock: Clock;
  store: StoreDatabase;
  keyring: Keyring;
  revocations: RevocationList;
  workspaces: WorkspaceDirectory;
  apiKeys: ApiKeyService;
  verifier: TokenVerifier;
  audit: AuditSink;
  /** Set when this start created the first admin key (see {@link BootstrapKey}). */
  bootstrap: BootstrapKey | undefined;
  close(): Promise<void>;
}

/**
 * The first admin key, created on a fresh store. Only a key that Perch generated carries its
 * text, for the CLI to print once. A key the operator supplied in `PERCH_BOOTSTRAP_API_KEY` is
 * never carried, so it cannot be printed: stdout ends up in log files, and the operator already
 * has the key.
 */
export type BootstrapKey = { generated: true; key: string; apiKey: ApiKeySummary } | { generated: false; apiKey: ApiKeySummary };

export interface ContextOverrides {
  clock?: Clock;
  logger?: Logger;
  store?: StoreDatabase;
  /** Builds the audit sink over the opened store (the benchmark harness swaps in a no-op). */
  createAudit: (store: StoreDatabase, config: PerchConfig, clock: Clock) => Promise<AuditSink & { close?(): Promise<void> }>;
}

/**
 * Pino that keeps tokens and API keys out of every line: credential fields redacted, and
 * anything shaped like a credential scrubbed (see `logging/logger-options.ts`).
 */
export function createLogger(config: PerchConfig, destination?: pino.DestinationStream): Logger {
  return pino(credentialSafeLoggerOptions(config.logLevel), destination);
}

/**
 * Open the store, load keys, origins and revocations into memory, and create the bootstrap
 * admin key on a fresh store.
 */
export async function createPerchContext(config: PerchConfig, overrides: ContextOverrides): Promise<PerchContext> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config);
  const store =
    overrides.store ??
    (await openStoreDatabase({ databaseUrl: config.secrets.databaseUrl, schema: config.databaseSchema, dataDir: resolve(config.cwd, config.dataDir) }));
  const masterKey = MasterKey.fromEnvironment(config.secrets.masterKey);
  await ensureWorkspace(store.db, DEFAULT_WORKSPACE_ID, 'Default workspace');

  const keyring = new Keyring(store.db, masterKey, clock);
  const workspaces = new WorkspaceDirectory(store.db);
  const revocations = new RevocationList(store.db, clock);
  await workspaces.load();
  for (const ws of await listWorkspaces(store.db)) await keyring.load(ws.id);
  await revocations.load();

  const apiKeys = new ApiKeyService(store.db, clock);
  let bootstrap: BootstrapKey | undefined;
  if ((await countApiKeys(store.db)) === 0) {
    const preset = config.secrets.bootstrapApiKey;
    if (preset !== undefined && !isWellFormedApiKey(preset)) {
      throw new Error('PERCH_BOOTSTRAP_API_KEY must look like pk_live_… or pk_test_… followed by at least 43 base62 characters');
    }
    const env = preset?.startsWith('pk_live_') ? 'live' : 'test';
    const created = await apiKeys.create({
      workspaceId: DEFAULT_WORKSPACE_ID,
      name: 'bootstrap admin',
      env: preset ? env : 'test',
      scopes: ['admin', 'tokens:create'],
      ...(preset ? { presetKey: preset } : {}),
    });
    bootstrap = preset ? { generated: false, apiKey: created.apiKey } : { generated: true, key: created.key, apiKey: created.apiKey };
  }

  const verifier = new TokenVerifier(keyring, revocations, workspaces, clock, { issuer: config.issuer });
  const audit = await overrides.createAudit(store, config, clock);

  return {
    config,
    logger,
    clock,
    store,
    keyring,
    revocations,
    workspaces,
    apiKeys,
    verifier,
    audit,
    bootstrap,
    async close() {
      // The trail drains what it can; the store closes even when the last commit failed.
      try {
        await audit.close?.();
      } finally {
        await store.close();
      }
    },
  };
}
