import { PerchError } from '@perch/protocol';
import { routeName, type QueryRoute } from '@perch/engine';

export type RouteKind = 'schema' | 'database';

export interface TenantCatalogOptions {
  /** Reads the names of the warehouse's schemas or databases. */
  list: (kind: RouteKind) => Promise<readonly string[]>;
  /** How long a listing is trusted. Default 30 s. */
  ttlMs?: number;
  /**
   * A miss re-reads the catalog unless a read started this recently (one in flight is always
   * shared). Default 0: a tenant created a moment ago is found on its first request; a miss costs
   * one catalog query, and only a token the host minted with a bad name can cause one.
   */
  missRefreshMs?: number;
  now?: () => number;
}

interface Snapshot {
  readonly names: ReadonlySet<string>;
  readonly readAt: number;
}

/**
 * Whether a tenant route names a schema (database) that exists in the warehouse's catalog.
 *
 * A route that matches its pattern is still refused unless the catalog lists it, compared exactly
 * (no case folding): a token naming `TENANT_A` or a look-alike never reaches a schema that merely
 * resembles it. The listing is kept for `ttlMs`, and a miss reads it again at once, so a tenant
 * schema created a moment ago works on its first request while a name that does not exist is
 * refused with 403 `tenant_route_invalid`. Concurrent reads share one catalog query.
 *
 * @example
 * ```ts
 * const catalog = new TenantCatalog({ list: (kind) => listNames(connector, kind) });
 * await catalog.require({ schema: 'tenant_acme' }); // throws tenant_route_invalid if absent
 * ```
 */
export class TenantCatalog {
  readonly #list: TenantCatalogOptions['list'];
  readonly #ttlMs: number;
  readonly #missRefreshMs: number;
  readonly #now: () => number;
  readonly #snapshots = new Map<RouteKind, Snapshot>();
  readonly #reading = new Map<RouteKind, { startedAt: number; settled: boolean; promise: Promise<Snapshot> }>();

  constructor(options: TenantCatalogOptions) {
    this.#list = options.list;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#missRefreshMs = options.missRefreshMs ?? 0;
    this.#now = options.now ?? (() => Date.now());
  }

  /**
   * Resolve when the route's schema (database) exists.
   * @throws PerchError `tenant_route_invalid` when it does not; the connector's
   *   `datasource_unavailable` when the catalog cannot be read (fail closed).
   */
  async require(route: QueryRoute, path = 'route'): Promise<void> {
    const kind: RouteKind = 'schema' in route ? 'schema' : 'database';
    const name = routeName(route);
    let snapshot = this.#snapshots.get(kind);
    if (!snapshot || this.#now() - snapshot.readAt > this.#ttlMs) snapshot = await this.#read(kind, 0);
    if (snapshot.names.has(name)) return;
    snapshot = await this.#read(kind, this.#missRefreshMs);
    if (snapshot.names.has(name)) return;
    // The message does not repeat the name: it came from the token, and the log has the detail.
    throw new PerchError('tenant_route_invalid', { path, message: `The tenant ${kind} of this token does not exist.`, detail: `${kind} "${name}" is not in the warehouse catalog` });
  }

  /** The names of the warehouse's schemas (databases), read fresh: for `perch verify-isolation`. */
  async names(kind: RouteKind): Promise<ReadonlySet<string>> {
    return (await this.#read(kind, 0)).names;
  }

  /** The listing in flight, or one that started at most `reuseMs` ago, or a new one. */
  #read(kind: RouteKind, reuseMs: number): Promise<Snapshot> {
    const now = this.#now();
    const current = this.#reading.get(kind);
    if (current && (!current.settled || (reuseMs > 0 && now - current.startedAt <= reuseMs))) return current.promise;
    const reading = {
      startedAt: now,
      settled: false,
      promise: this.#list(kind).then((names) => {
        const snapshot = { names: new Set(names), readAt: now };
        this.#snapshots.set(kind, snapshot);
        return snapshot;
      }),
    };
    this.#reading.set(kind, reading);
    reading.promise.then(
      () => {
        reading.settled = true;
      },
      () => {
        // A failed read is not reused: the next request tries again.
        if (this.#reading.get(kind) === reading) this.#reading.delete(kind);
      },
    );
    return reading.promise;
  }
}
