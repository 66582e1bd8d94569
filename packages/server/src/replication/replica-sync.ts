import pg from 'pg';
import type { Logger } from 'pino';
import { CHANGE_CHANNEL, parseChangeNotice } from './change-notice.js';
import { Freshness } from './freshness.js';
import { replicationNotices, replicationResyncs } from './replication-metrics.js';

/** The in-memory state a replica mirrors, and how to reload each part from the store. */
export interface MirroredState {
  reloadWorkspaces(): Promise<void>;
  reloadRevocations(): Promise<void>;
  reloadTokenKeys(workspaceId: string): Promise<void>;
  listWorkspaceIds(): Promise<string[]>;
}

export interface ReplicaSyncOptions {
  /** Connection settings of the dedicated LISTEN connection (those of the store's pool). */
  connection: pg.ClientConfig;
  /** The store's schema; notices from other schemas on the same server are ignored. */
  schema: string;
  /** How often the LISTEN connection proves it is alive (and freshness is confirmed). */
  heartbeatMs: number;
  /** Full reload interval: the fallback should a notice ever be missed. */
  resyncMs: number;
  /** Fail closed when freshness cannot be confirmed for longer than this. */
  maxStalenessMs: number;
  logger: Logger;
}

interface Dirty {
  all: boolean;
  workspaces: boolean;
  revocations: boolean;
  tokenKeys: Set<string>;
}

const cleanDirty = (): Dirty => ({ all: false, workspaces: false, revocations: false, tokenKeys: new Set() });
const MAX_BACKOFF_MS = 1_000;

/**
 * Keeps one replica's verification state in step with the shared PostgreSQL store.
 *
 * - A dedicated connection LISTENs on {@link CHANGE_CHANNEL}; each notice reloads the part of
 *   the state it names, within milliseconds of the writer's COMMIT.
 * - Every `heartbeatMs` a round trip on that same connection proves it is alive. PostgreSQL
 *   delivers a notice before the result of any later query on the listening connection, so once
 *   the heartbeat returns and the pending reloads have finished, every change committed before
 *   the heartbeat was sent is applied: that instant is recorded in {@link Freshness}.
 * - Every `resyncMs` everything is reloaded anyway, and after a reconnect everything is reloaded
 *   before freshness is confirmed again (notices sent while disconnected are lost by design).
 *
 * @example
 * ```ts
 * const sync = new ReplicaSync(state, { connection: pool.options, schema: 'public', heartbeatMs: 500, resyncMs: 10_000, maxStalenessMs: 3_000, logger });
 * await sync.start();
 * sync.freshness.assertFresh();
 * await sync.close();
 * ```
 */
export class ReplicaSync {
  readonly freshness: Freshness;
  private dirty: Dirty = cleanDirty();
  private applying: Promise<void> = Promise.resolve();
  private closed = false;
  private client: pg.Client | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly state: MirroredState,
    private readonly options: ReplicaSyncOptions,
  ) {
    this.freshness = new Freshness(options.maxStalenessMs);
  }

  /** Connect, LISTEN and reload once; resolves when the replica is first confirmed fresh. */
  async start(): Promise<void> {
    let first!: { resolve(): void; reject(error: unknown): void };
    const firstConfirm = new Promise<void>((resolve, reject) => (first = { resolve, reject }));
    this.loop = this.supervise(first);
    await firstConfirm;
  }

  /** Stop listening; in-flight reloads finish first. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.client?.end().catch(() => undefined);
    await this.loop;
    await this.applying.catch(() => undefined);
  }

  /** Reconnects forever, with a short capped backoff, until closed. */
  private async supervise(first: { resolve(): void; reject(error: unknown): void }): Promise<void> {
    let backoff = 100;
    let started = false;
    while (!this.closed) {
      try {
        await this.connectAndFollow(() => {
          backoff = 100;
          if (!started) {
            started = true;
            first.resolve();
          }
        });
      } catch (error) {
        if (this.closed) break;
        if (!started) {
          started = true;
          first.reject(error);
          return;
        }
        this.options.logger.warn({ err: error, stalenessMs: Math.round(this.freshness.stalenessMs()) }, 'replica sync lost the store; reconnecting');
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private async connectAndFollow(onConfirmed: () => void): Promise<void> {
    const timeout = Math.max(this.options.heartbeatMs * 2, 1_000);
    const client = new pg.Client({ ...this.options.connection, connectionTimeoutMillis: timeout, query_timeout: timeout, keepAlive: true });
    this.client = client;
    let lost: Error | undefined;
    const onLost = (error?: Error) => {
      lost ??= error ?? new Error('the LISTEN connection ended');
      this.wake?.();
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', (message) => this.onNotice(message.channel, message.payload));
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
      // Changes committed from here on arrive as notices; earlier ones are read by the reload.
      const listeningSince = performance.now();
      await this.reloadEverything();
      this.freshness.confirm(listeningSince);
      onConfirmed();
      let lastResync = performance.now();
      while (!this.closed) {
        await this.sleep(this.options.heartbeatMs);
        if (this.closed) return;
        if (lost) throw lost;
        const sentAt = performance.now();
        await client.query('select 1');
        if (sentAt - lastResync >= this.options.resyncMs) {
          await this.reloadEverything();
          lastResync = sentAt;
        } else {
          await this.applyPending();
        }
        if (lost) throw lost;
        this.freshness.confirm(sentAt);
      }
    } finally {
      this.client = undefined;
      client.removeAllListeners('notification');
      await client.end().catch(() => undefined);
    }
  }

  private onNotice(channel: string, payload: string | undefined): void {
    if (channel !== CHANGE_CHANNEL) return;
    const notice = parseChangeNotice(payload);
    if (notice && notice.schema !== this.options.schema) return;
    replicationNotices.inc({ table: notice?.table ?? 'unknown' });
    if (!notice) this.dirty.all = true;
    else if (notice.table === 'revocations') this.dirty.revocations = true;
    else if (notice.table === 'token_keys' && notice.workspace) this.dirty.tokenKeys.add(notice.workspace);
    else if (notice.table === 'workspaces' || notice.table === 'origins') {
      this.dirty.workspaces = true;
      // A new workspace needs its first token key loaded too.
      if (notice.table === 'workspaces' && notice.workspace) this.dirty.tokenKeys.add(notice.workspace);
    } else this.dirty.all = true;
    this.applyPending().catch((error: unknown) => this.options.logger.warn({ err: error }, 'replica sync could not apply a change; the heartbeat will retry'));
  }

  /** Apply every change noticed so far, one reload at a time; rejects if a reload failed. */
  private applyPending(): Promise<void> {
    const run = this.applying.catch(() => undefined).then(async () => {
      const dirty = this.dirty;
      this.dirty = cleanDirty();
      try {
        if (dirty.all) return await this.reloadAll();
        if (dirty.workspaces) await this.state.reloadWorkspaces();
        for (const workspace of dirty.tokenKeys) await this.state.reloadTokenKeys(workspace);
        if (dirty.revocations) await this.state.reloadRevocations();
      } catch (error) {
        // Nothing is lost: the next attempt reloads everything.
        this.dirty.all = true;
        throw error;
      }
    });
    this.applying = run;
    return run;
  }

  private reloadEverything(): Promise<void> {
    this.dirty.all = true;
    replicationResyncs.inc();
    return this.applyPending();
  }

  private async reloadAll(): Promise<void> {
    await this.state.reloadWorkspaces();
    for (const workspace of await this.state.listWorkspaceIds()) await this.state.reloadTokenKeys(workspace);
    await this.state.reloadRevocations();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
