import { PerchError, roleAtLeast, type EmbedTokenClaims, type QueryResult } from '@perch/protocol';
import { catalogFor, compileDistinctValues, compileQuery, lookupMember, type Catalog, type CompiledQuery, type Dashboard, type DialectName, type EngineOptions, type GovernedSql, type Model, type QueryRoute } from '@perch/engine';
import { RoutingConnector, type Connector, type QueryRows } from '../connectors/index.js';
import { resultCacheKey } from './cache-key.js';
import { ResultCache } from './result-cache.js';
import type { SignalSource } from './client-signal.js';
import { CompileMemo } from './compile-memo.js';
import { isDashboardForm, resolveDashboardQuery, dashboardInScope } from './dashboard-query.js';
import { compileMemoHits, compileMemoMisses, queryCacheHits, queryCacheMisses } from './metrics.js';

export interface QueryLimits {
  maxRows: number;
  defaultRows: number;
  queryTimeoutMs: number;
  resultCacheEntries: number;
  resultCacheTtlMs: number;
  /** Compiled queries remembered per (user, query); 0 compiles every request. Default 1,000. */
  compileMemoEntries?: number;
}

export interface QueryServiceOptions {
  model: Model;
  connector: Connector;
  /** Defaults to the connector's dialect; must match it. */
  dialect?: DialectName;
  limits: QueryLimits;
  /** The instant relative date ranges resolve against (tests pin it; default: now). */
  now?: () => Date;
}

/**
 * Finds a dashboard saved by a maker (tenant- and scope-checked by the caller's implementation);
 * consulted only for ids the model does not define.
 */
export type SavedDashboardLookup = (claims: EmbedTokenClaims, id: string) => Promise<Dashboard | undefined>;

export interface RunOptions {
  /**
   * Fires when the client goes away; the statement is cancelled unless others wait on it too.
   * A function is called only if the query has to wait for the warehouse (see `SignalSource`).
   */
  signal?: SignalSource;
  requestId?: string;
  /**
   * Filled in once the query compiled, so that a later refusal (timeout, cancellation) can be
   * audited with what was asked. A holder rather than a callback: no closure per request.
   */
  receipt?: CompileReceipt;
}

/** What a run knew once its query compiled. */
export interface CompiledInfo {
  resource: string;
  details: CompiledAuditDetails;
}

/** Where `run` leaves its {@link CompiledInfo} (see `RunOptions.receipt`). */
export interface CompileReceipt {
  compiled?: CompiledInfo;
}

/** The audit details known before execution. */
export type CompiledAuditDetails = Omit<QueryAuditDetails, 'rowCount' | 'durationMs' | 'cacheHit'>;

/** What a route writes into the `query.run` audit event. */
// A type alias, not an interface, so that it is a `Record<string, unknown>` as audit events take
// details: routes hand it to `record()` as it is, which copies it.
export type QueryAuditDetails = {
  dataset: string;
  members: string[];
  filterFingerprint: string;
  policies: string[];
  rowCount: number;
  durationMs: number;
  cacheHit: boolean;
  dashboard?: string;
  chart?: string;
  /** The tenant schema or database the query read (`{ schema: 'tenant_acme' }`). */
  route?: { schema: string } | { database: string };
};

export interface QueryOutcome {
  result: QueryResult;
  audit: QueryAuditDetails;
  /** `dataset:orders` or `dashboard:sales/revenue_kpi`. */
  resource: string;
  /** Dashboard form: cross-filter members the chart's dataset cannot express. */
  unapplied?: string[];
}

export interface DistinctValuesInput {
  dashboard?: string;
  dataset?: string;
  member: string;
  search?: string;
  limit?: number;
}

/**
 * The governed query path: decide what the caller may ask, compile it with their RLS, run it with
 * limits, a timeout and cancellation, and cache results under keys that include every bound value.
 *
 * @example
 * ```ts
 * const service = new QueryService({ model, connector, limits: config.limits });
 * const { result } = await service.run(request.embed.claims, request.body, { signal });
 * ```
 */
export class QueryService {
  readonly model: Model;
  readonly dialect: DialectName;
  readonly #connector: Connector;
  readonly #limits: QueryLimits;
  readonly #cache: ResultCache<QueryRows>;
  readonly #now: () => Date;
  readonly #compiled: CompileMemo;
  /** Result-cache keys of the statements the memo hands out again, computed once each. */
  readonly #cacheKeys = new WeakMap<GovernedSql, { maxRows: number; key: string }>();
  #savedDashboards: SavedDashboardLookup | undefined;

  constructor(options: QueryServiceOptions) {
    this.model = options.model;
    this.#connector = options.connector;
    this.dialect = options.dialect ?? options.connector.dialect;
    if (this.dialect !== options.connector.dialect) throw new Error(`dialect ${this.dialect} does not match the ${options.connector.dialect} connector`);
    this.#limits = options.limits;
    this.#cache = new ResultCache<QueryRows>({ maxEntries: options.limits.resultCacheEntries, ttlMs: options.limits.resultCacheTtlMs });
    this.#now = options.now ?? (() => new Date());
    this.#compiled = new CompileMemo(options.limits.compileMemoEntries);
  }

  /**
   * Run a semantic query (explorer and above) or a dashboard chart (any role, dashboard in scope).
   *
   * @throws PerchError `resource_forbidden` (viewer ad-hoc query, dashboard out of scope), every
   *   engine code (`unknown_member`, `member_forbidden`, `rls_attribute_missing`…), and connector
   *   codes (`query_timeout`, `query_cancelled`, `datasource_unavailable`).
   */
  async run(claims: EmbedTokenClaims, body: unknown, options: RunOptions = {}): Promise<QueryOutcome> {
    const started = performance.now();
    let query: unknown = body;
    let resource: string;
    let dashboardInfo: { dashboard: string; chart: string } | undefined;
    let unapplied: string[] = [];
    if (isDashboardForm(body)) {
      const resolved = resolveDashboardQuery(await this.#modelWithSaved(claims, (body as { dashboard?: unknown }).dashboard), claims, body);
      query = resolved.query;
      dashboardInfo = { dashboard: resolved.dashboard.id, chart: resolved.chart };
      unapplied = resolved.unapplied;
      resource = `dashboard:${resolved.dashboard.id}/${resolved.chart}`;
    } else {
      // Until dashboards are editable, ad-hoc queries are for explorers and above only.
      if (!roleAtLeast(claims.user.role, 'explorer')) throw new PerchError('resource_forbidden', { message: 'Ad-hoc queries are not available to this role.' });
      resource = '';
    }

    const { compiled, remembered } = this.#compiled.compile(query, claims.user, () => compileQuery(this.model, query, claims.user, this.dialect, this.#engineOptions()));
    (remembered ? compileMemoHits : compileMemoMisses).inc();
    if (!dashboardInfo) resource = `dataset:${compiled.dataset}`;
    const details = compiledDetails(compiled, dashboardInfo);
    if (options.receipt) options.receipt.compiled = { resource, details };

    const [main, totals] = await Promise.all([
      this.#execute(compiled.main, this.#limits.maxRows, options.signal),
      compiled.totals ? this.#execute(compiled.totals, 1, options.signal) : undefined,
    ]);
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const cacheHit = main.cacheHit && (totals?.cacheHit ?? true);
    const result: QueryResult = {
      columns: compiled.columns.map((c) => ({ name: c.name, type: c.type, kind: c.kind })),
      rows: main.value.rows,
      meta: {
        rowCount: main.value.rows.length,
        durationMs,
        cacheHit,
        requestId: options.requestId ?? '',
        ...(main.value.truncated ? { truncated: true } : {}),
        ...(totals ? { totals: totalsRow(totals.value) } : {}),
      },
    };
    // The compiled details are copied into the event, not shared: the caller owns `details`.
    return {
      result,
      resource,
      audit: { ...details, members: [...details.members], policies: [...details.policies], rowCount: result.meta.rowCount, durationMs, cacheHit },
      ...(unapplied.length > 0 ? { unapplied } : {}),
    };
  }

  /**
   * Distinct values of a dimension for a filter widget, through the same RLS path. Viewers may
   * only ask for a picker member of a dashboard in their scope.
   */
  async distinctValues(claims: EmbedTokenClaims, input: DistinctValuesInput, options: RunOptions = {}): Promise<{ result: QueryResult; dataset: string; policies: string[]; cacheHit: boolean; route?: QueryAuditDetails['route'] }> {
    let dataset = input.dataset;
    if (input.dashboard !== undefined) {
      const dashboard = dashboardInScope(await this.#modelWithSaved(claims, input.dashboard), claims, input.dashboard);
      if (!(dashboard.filters?.pickers ?? []).some((p) => p.member === input.member)) {
        throw new PerchError('unknown_member', { path: 'member', message: 'member: not a filter of this dashboard' });
      }
      const chartDatasets = [...new Set(dashboard.charts.map((c) => c.query.dataset))];
      if (dataset !== undefined && !chartDatasets.includes(dataset)) throw new PerchError('unknown_dataset', { path: 'dataset', message: 'dataset: not used by this dashboard' });
      // The first chart dataset where the member is a dimension, its own or through a join
      // (`customer.segment`): not every chart's dataset has that join.
      dataset ??=
        chartDatasets.find((name) => {
          const candidate = this.model.datasets.get(name);
          return candidate !== undefined && lookupMember(this.model.datasets, candidate, input.member)?.kind === 'dimension';
        }) ?? chartDatasets[0];
    } else if (!roleAtLeast(claims.user.role, 'explorer')) {
      throw new PerchError('resource_forbidden', { path: 'dashboard', message: 'dashboard: viewers look up values of a dashboard filter only' });
    }
    if (dataset === undefined) throw new PerchError('missing_field', { path: 'dataset', message: 'dataset: required' });
    const compiled = compileDistinctValues(
      this.model,
      { dataset, member: input.member, ...(input.search !== undefined ? { search: input.search } : {}), ...(input.limit !== undefined ? { limit: input.limit } : {}) },
      claims.user,
      this.dialect,
      this.#engineOptions(),
    );
    const started = performance.now();
    const rows = await this.#execute(compiled.main, this.#limits.maxRows, options.signal);
    const result: QueryResult = {
      columns: compiled.columns.map((c) => ({ name: c.name, type: c.type, kind: c.kind })),
      rows: rows.value.rows,
      meta: {
        rowCount: rows.value.rows.length,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        cacheHit: rows.cacheHit,
        requestId: options.requestId ?? '',
        ...(rows.value.truncated ? { truncated: true } : {}),
      },
    };
    return { result, dataset, policies: [...compiled.main.policiesApplied], cacheHit: rows.cacheHit, ...(compiled.main.route ? { route: { ...compiled.main.route } } : {}) };
  }

  /**
   * Whether a tenant route's schema (database) exists in the warehouse's catalog, for
   * `POST /v1/access/explain`. Errors other than "not there" (an unreachable warehouse) propagate.
   */
  async routeInCatalog(route: QueryRoute): Promise<boolean> {
    if (!(this.#connector instanceof RoutingConnector)) return false;
    try {
      await this.#connector.catalog.require(route);
      return true;
    } catch (error) {
      if (error instanceof PerchError && error.code === 'tenant_route_invalid') return false;
      throw error;
    }
  }

  /** The datasets and members this user may query (hidden members left out). */
  catalog(claims: EmbedTokenClaims): Catalog {
    return catalogFor(this.model, claims.user);
  }

  /** The model with the named saved dashboard (when the model has none of that id), for routes that resolve dashboards themselves. */
  modelFor(claims: EmbedTokenClaims, dashboardId: unknown): Promise<Model> {
    return this.#modelWithSaved(claims, dashboardId);
  }

  /** Let dashboards saved by makers be run in the dashboard form, like the model's own. */
  useSavedDashboards(lookup: SavedDashboardLookup): void {
    this.#savedDashboards = lookup;
  }

  /** The model, plus the named saved dashboard when the model has no dashboard of that id. */
  async #modelWithSaved(claims: EmbedTokenClaims, id: unknown): Promise<Model> {
    if (!this.#savedDashboards || typeof id !== 'string' || this.model.dashboards.has(id)) return this.model;
    const saved = await this.#savedDashboards(claims, id);
    return saved ? { datasets: this.model.datasets, dashboards: new Map([[id, saved]]) } : this.model;
  }

  #engineOptions(): EngineOptions {
    return { maxLimit: this.#limits.maxRows, defaultLimit: this.#limits.defaultRows, now: this.#now() };
  }

  async #execute(query: GovernedSql, maxRows: number, signal: SignalSource | undefined) {
    // A routed statement's schema (database) must exist before even the result cache is asked:
    // a tenant dropped from the warehouse stops being served at once, not when its entries expire.
    if (query.route && this.#connector instanceof RoutingConnector) await this.#connector.admit(query);
    let known = this.#cacheKeys.get(query);
    if (known?.maxRows !== maxRows) {
      known = { maxRows, key: resultCacheKey(query, maxRows) };
      this.#cacheKeys.set(query, known);
    }
    const key = known.key;
    const outcome = await this.#cache.get(key, (shared) => this.#connector.execute(query, { signal: shared, maxRows, timeoutMs: this.#limits.queryTimeoutMs }), signal);
    (outcome.cacheHit ? queryCacheHits : queryCacheMisses).inc();
    return outcome;
  }

}

function compiledDetails(compiled: CompiledQuery, dashboard: { dashboard: string; chart: string } | undefined): CompiledAuditDetails {
  return {
    dataset: compiled.dataset,
    members: [...compiled.members],
    filterFingerprint: compiled.filterFingerprint,
    policies: [...compiled.main.policiesApplied],
    ...(dashboard ?? {}),
    ...(compiled.main.route ? { route: { ...compiled.main.route } } : {}),
  };
}

function totalsRow(rows: QueryRows): Record<string, number | null> {
  const first = rows.rows[0] ?? {};
  const out: Record<string, number | null> = {};
  for (const column of rows.columns) {
    const value = first[column.name];
    out[column.name] = typeof value === 'number' ? value : null;
  }
  return out;
}
