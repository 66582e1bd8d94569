import type { Logger } from 'pino';
import { loadConfig, type PerchConfig } from './config.js';
import { createPerchContext, type ContextOverrides, type PerchContext } from './context.js';
import { buildApp, type BuildAppOptions, type PerchApp } from './app.js';
import { createAuditTrail, type AuditTrail } from './audit/index.js';
import { createAuditModule } from './audit-api/audit-routes.js';
import { createAssistantModule } from './assistant/module.js';
import { createQueryModule } from './query/module.js';
import { createDashboardModule } from './dashboards/module.js';
import { startReplication } from './replication/replication.js';
import { createRateLimitRedis } from './replication/shared-rate-limit.js';

export interface StartPerchOptions {
  config?: PerchConfig;
  overrides?: Partial<ContextOverrides>;
  app?: BuildAppOptions;
  /** Listen on this port instead of the configured one (0 = any free port). */
  port?: number;
  /**
   * Print the bootstrap admin key to this function (the CLI prints it to stdout). Called only
   * for a key Perch generated, never for one supplied in `PERCH_BOOTSTRAP_API_KEY`.
   */
  onBootstrapKey?: (key: string) => void;
}

export interface RunningPerch {
  url: string;
  app: PerchApp;
  ctx: PerchContext;
  /** Graceful stop: stop accepting, finish in-flight requests, drain the audit batch, close pools. */
  close(): Promise<void>;
}

/**
 * Start a Perch server.
 *
 * @example
 * ```ts
 * const perch = await startPerch({ port: 0 });
 * console.log(perch.url); // http://127.0.0.1:54321
 * await perch.close();
 * ```
 */
export async function startPerch(options: StartPerchOptions = {}): Promise<RunningPerch> {
  const config = options.config ?? loadConfig();
  let trail: AuditTrail | undefined;
  const ctx = await createPerchContext(config, {
    createAudit: async (store, cfg, clock) =>
      (trail = await createAuditTrail({ store, clock, batchMs: cfg.audit.batchMs, batchSize: cfg.audit.batchSize, ...(cfg.audit.commitsInFlight !== undefined ? { commitsInFlight: cfg.audit.commitsInFlight } : {}), retentionDays: cfg.audit.retentionDays })),
    ...options.overrides,
  });
  if (ctx.bootstrap?.generated) options.onBootstrapKey?.(ctx.bootstrap.key);
  // A supplied key is never printed (see BootstrapKey); its id and display prefix say which it is.
  else if (ctx.bootstrap) ctx.logger.info({ apiKeyId: ctx.bootstrap.apiKey.id, prefix: ctx.bootstrap.apiKey.prefix }, 'created the first admin API key from PERCH_BOOTSTRAP_API_KEY');
  const retention = trail ? scheduleRetention(trail, ctx.logger) : undefined;
  // The governed query path: model, warehouse and the query/catalog/explain routes.
  const query = await createQueryModule(config, ctx).catch(async (error: unknown) => {
    await ctx.close();
    throw error;
  });
  // Replicas sharing a PostgreSQL store follow each other's revocations, keys and origins.
  const replication = await startReplication(ctx, config.replication).catch(async (error: unknown) => {
    await query.close();
    await ctx.close();
    throw error;
  });
  const redis = config.secrets.redisUrl ? createRateLimitRedis(config.secrets.redisUrl) : undefined;
  const app = await buildApp(ctx, {
    ...(replication ? { freshnessGate: replication.requireFresh } : {}),
    ...(redis ? { rateLimitRedis: redis } : {}),
    ...options.app,
    // The audit routes need the real trail; a benchmark that swaps the sink has none to read.
    modules: [...(trail ? [createAuditModule(trail)] : []), ...query.modules, ...createDashboardModule(ctx, query.service, query.service.model), createAssistantModule(ctx, query.service), ...(options.app?.modules ?? [])],
    readiness: { ...query.readiness, ...(replication ? { replication: replication.ready } : {}), ...options.app?.readiness },
  });
  const address = await app.listen({ host: config.host, port: options.port ?? config.port });
  let closing: Promise<void> | undefined;
  return {
    url: address.replace('[::1]', '127.0.0.1'),
    app,
    ctx,
    close() {
      closing ??= (async () => {
        await closeHttp(app);
        if (retention) clearInterval(retention);
        await replication?.close();
        redis?.disconnect();
        await query.close();
        await ctx.close();
      })();
      return closing;
    },
  };
}

const DAY_MS = 86_400_000;

/**
 * Drop whole audit segments older than the retention period: once shortly after start, then
 * daily. The trail records an `audit.retention` event for every drop. Failures are logged and
 * retried on the next run; they never affect requests.
 */
function scheduleRetention(trail: AuditTrail, logger: Logger): NodeJS.Timeout {
  const run = () => {
    trail.applyRetention().then(
      ({ droppedSegments }) => {
        if (droppedSegments > 0) logger.info({ droppedSegments }, 'audit retention dropped old segments');
      },
      (error: unknown) => logger.error({ err: error }, 'audit retention failed'),
    );
  };
  setTimeout(run, 60_000).unref();
  return setInterval(run, DAY_MS).unref();
}

/** SIGTERM/SIGINT → graceful shutdown, once. */
/** How often a closing server looks for connections that have gone idle (see `closeHttp`). */
const IDLE_SWEEP_MS = 50;

/**
 * Stop accepting, let requests in flight finish, then close every connection.
 *
 * Why the sweep: Node closes the keep-alive connections that are idle when the server starts
 * closing, but a connection still answering a request then stays open once it goes idle, until
 * its keep-alive timeout (72 s in Fastify), and holds the whole shutdown that long: past
 * Kubernetes' default 30 s grace period, after which the pod is killed. Each connection is
 * closed as soon as its last response is sent instead.
 */
async function closeHttp(app: PerchApp): Promise<void> {
  const closed = app.close();
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
  }
}

export function closeOnSignals(perch: RunningPerch, logger: Logger): void {
  const stop = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    perch.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}
