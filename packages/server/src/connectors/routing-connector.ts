import { compileRouteCatalog, type GovernedSql } from '@perch/engine';
import { PerchError } from '@perch/protocol';
import type { Connector, ExecuteOptions, QueryRows } from './connector.js';
import { TenantCatalog, type RouteKind } from './tenant-catalog.js';
import { TenantPools } from './tenant-pools.js';

export interface RoutingConnectorOptions {
  /** The warehouse's own connection: unrouted datasets, schema routes and catalog look-ups. */
  base: Connector;
  /** Opens the connector of one tenant database; absent when the URL has no `{database}`. */
  openDatabase?: (database: string) => Promise<Connector>;
  /** Tenant database pools open at most (LRU). Default 20. */
  maxPools?: number;
  /** A tenant database pool unused this long closes. Default 60 s. */
  idleMs?: number;
  /** How long a catalog listing is trusted. Default 30 s. */
  catalogTtlMs?: number;
}

/**
 * The connector Perch queries through when the model routes tenants. A statement without a route
 * goes to the warehouse's connection as it is. A routed statement is first checked against the
 * warehouse's catalog (the schema or database must exist, exactly as named, else 403
 * `tenant_route_invalid`), then runs: a schema route on the warehouse's connection (the schema is
 * already quoted into the SQL), a database route on that database's own pool.
 *
 * @example
 * ```ts
 * const connector = new RoutingConnector({ base, openDatabase: (db) => createConnector({ type: 'postgres', url: template.replace('{database}', db) }) });
 * await connector.execute(compiled.main); // compiled.main.route === { database: 'tenant_acme' }
 * ```
 */
export class RoutingConnector implements Connector {
  readonly dialect: Connector['dialect'];
  readonly catalog: TenantCatalog;
  readonly #base: Connector;
  readonly #pools: TenantPools | undefined;

  constructor(options: RoutingConnectorOptions) {
    this.#base = options.base;
    this.dialect = options.base.dialect;
    this.catalog = new TenantCatalog({ list: (kind) => this.#list(kind), ...(options.catalogTtlMs !== undefined ? { ttlMs: options.catalogTtlMs } : {}) });
    this.#pools = options.openDatabase ? new TenantPools({ open: options.openDatabase, maxPools: options.maxPools ?? 20, idleMs: options.idleMs ?? 60_000 }) : undefined;
  }

  /** Tenant databases with an open pool, most recently used first. */
  get openDatabases(): string[] {
    return this.#pools?.open ?? [];
  }

  /**
   * Resolve when the statement's route exists in the catalog (a statement without one passes).
   * @throws PerchError `tenant_route_invalid`.
   */
  async admit(query: GovernedSql): Promise<void> {
    if (query.route) await this.catalog.require(query.route, query.routeAttribute ? `attributes.${query.routeAttribute}` : 'route');
  }

  async execute(query: GovernedSql, options?: ExecuteOptions): Promise<QueryRows> {
    const route = query.route;
    if (!route) return this.#base.execute(query, options);
    await this.admit(query);
    if ('schema' in route) return this.#base.execute(query, options);
    if (!this.#pools) throw new PerchError('internal_error', { detail: 'a database route needs a warehouse url with {database}' });
    return this.#pools.run(route.database, (connector) => connector.execute(query, options));
  }

  ping(): Promise<void> {
    return this.#base.ping();
  }

  async close(): Promise<void> {
    await this.#pools?.close();
    await this.#base.close();
  }

  async #list(kind: RouteKind): Promise<string[]> {
    const { rows } = await this.#base.execute(compileRouteCatalog(this.dialect, kind));
    return rows.map((row) => row.name).filter((name): name is string => typeof name === 'string');
  }
}
