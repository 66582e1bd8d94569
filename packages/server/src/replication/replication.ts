import type { FastifyRequest } from 'fastify';
import type { PerchContext } from '../context.js';
import { listWorkspaces } from '../store/workspaces.js';
import { ReplicaSync } from './replica-sync.js';
import { observePool, observeStaleness } from './replication-metrics.js';

export interface ReplicationSettings {
  heartbeatMs: number;
  resyncMs: number;
  maxStalenessMs: number;
}

/** What `startPerch` wires into the app when the store is shared. */
export interface Replication {
  /** `onRequest` hook for routes that rely on mirrored state: 503 `freshness_unknown` when stale. */
  requireFresh(request: FastifyRequest): Promise<void>;
  /** Readiness check: fails while freshness cannot be confirmed. */
  ready(): Promise<void>;
  readonly sync: ReplicaSync;
  close(): Promise<void>;
}

/**
 * Make this process a stateless replica of a shared PostgreSQL store: follow changes made by
 * other replicas (LISTEN/NOTIFY plus periodic re-sync) and fail closed when that cannot be
 * confirmed. Returns `undefined` for the embedded store, which has a single writer.
 *
 * @example
 * ```ts
 * const replication = await startReplication(ctx, config.replication);
 * const app = await buildApp(ctx, { freshnessGate: replication?.requireFresh });
 * ```
 */
export async function startReplication(ctx: PerchContext, settings: ReplicationSettings): Promise<Replication | undefined> {
  const pool = ctx.store.pool;
  if (ctx.store.kind !== 'postgres' || !pool) return undefined;
  const sync = new ReplicaSync(
    {
      reloadWorkspaces: () => ctx.workspaces.load(),
      reloadRevocations: () => ctx.revocations.load(),
      reloadTokenKeys: (workspaceId) => ctx.keyring.load(workspaceId),
      listWorkspaceIds: async () => (await listWorkspaces(ctx.store.db)).map((w) => w.id),
    },
    { connection: pool.options, schema: ctx.store.schema, ...settings, logger: ctx.logger },
  );
  await sync.start();
  const stopStaleness = observeStaleness(() => sync.freshness.stalenessMs());
  const stopPool = observePool('store', pool);
  return {
    sync,
    async requireFresh(request) {
      // Preflights carry no token and return no data; everything else needs confirmed state.
      if (request.method !== 'OPTIONS') sync.freshness.assertFresh();
    },
    async ready() {
      sync.freshness.assertFresh();
    },
    async close() {
      stopStaleness();
      stopPool();
      await sync.close();
    },
  };
}
