import { LRUCache } from 'lru-cache';
import { PerchError } from '@perch/protocol';
import type { Connector } from './connector.js';

export interface TenantPoolOptions {
  /** Opens the connector (its own connection pool) of one tenant database. */
  open: (database: string) => Promise<Connector>;
  /** Databases with an open pool at most; the least recently used one closes first. */
  maxPools: number;
  /** A pool unused this long closes. */
  idleMs: number;
}

interface Entry {
  readonly connector: Promise<Connector>;
  /** Statements running on it; an evicted pool closes only when the last one is done. */
  active: number;
  evicted: boolean;
}

/**
 * One connection pool per tenant database, bounded: an LRU of at most `maxPools` pools, each
 * closed after `idleMs` without use. Without the bound, a warehouse with thousands of tenant
 * databases would hold thousands of pools (and their connections) open.
 *
 * A pool evicted while statements run on it is closed when the last of them finishes, never
 * under a running statement; the next request for that database opens a fresh pool.
 *
 * @example
 * ```ts
 * const pools = new TenantPools({ open: (db) => createConnector({ type: 'postgres', url: urlFor(db) }), maxPools: 20, idleMs: 60_000 });
 * const rows = await pools.run('tenant_acme', (connector) => connector.execute(query));
 * ```
 */
export class TenantPools {
  readonly #open: TenantPoolOptions['open'];
  readonly #pools: LRUCache<string, Entry>;
  readonly #closing = new Set<Promise<void>>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: TenantPoolOptions) {
    this.#open = options.open;
    this.#pools = new LRUCache<string, Entry>({
      max: options.maxPools,
      ttl: options.idleMs,
      // Idle means unused: every use restarts the clock.
      updateAgeOnGet: true,
      dispose: (entry) => {
        entry.evicted = true;
        if (entry.active === 0) this.#close(entry);
      },
    });
    // Stale pools are closed by a sweep rather than on the next access, so an idle Perch lets
    // go of its connections. unref: the sweep never keeps the process alive.
    this.#sweeper = setInterval(() => this.#pools.purgeStale(), Math.max(100, Math.min(options.idleMs, 30_000)));
    this.#sweeper.unref();
  }

  /** Databases with an open pool, most recently used first. */
  get open(): string[] {
    return [...this.#pools.keys()];
  }

  /** Run `task` on the connector of `database`, opening its pool when needed. */
  async run<T>(database: string, task: (connector: Connector) => Promise<T>): Promise<T> {
    let entry = this.#pools.get(database);
    if (!entry) {
      entry = { connector: this.#open(database), active: 0, evicted: false };
      this.#pools.set(database, entry);
    }
    entry.active += 1;
    try {
      let connector: Connector;
      try {
        connector = await entry.connector;
      } catch (error) {
        // A pool that could not open is forgotten, so the next request dials again.
        if (this.#pools.peek(database) === entry) this.#pools.delete(database);
        throw error instanceof PerchError ? error : new PerchError('datasource_unavailable', { detail: 'a tenant database pool could not open', cause: error });
      }
      return await task(connector);
    } finally {
      entry.active -= 1;
      if (entry.evicted && entry.active === 0) this.#close(entry);
    }
  }

  /** Close every pool (waiting for running statements to finish first). */
  async close(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#pools.clear();
    await Promise.all([...this.#closing]);
  }

  #close(entry: Entry): void {
    const closing = entry.connector.then(
      (connector) => connector.close(),
      () => undefined,
    );
    this.#closing.add(closing);
    void closing.finally(() => this.#closing.delete(closing));
  }
}
