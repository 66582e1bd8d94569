import { PerchError, roleAtLeast, type EmbedTokenClaims } from '@perch/protocol';
import { ModelValidationError, compileQuery, parseDashboard, type Dashboard, type DialectName, type EngineOptions, type Model } from '@perch/engine';
import type { WorkspaceDirectory } from '../auth/workspace-directory.js';
import type { DashboardStore, StoredDashboardRow, TenantKey } from './dashboard-store.js';
import { inDashboardScope, requireTenant, tenantOf } from './tenant.js';

export interface DashboardDirectoryOptions {
  model: Model;
  store: DashboardStore;
  workspaces: Pick<WorkspaceDirectory, 'get'>;
  dialect: DialectName;
  engine: () => EngineOptions;
}

/** One entry of `GET /v1/dashboards`. */
export interface DashboardSummary {
  id: string;
  title: string;
  description?: string;
  /** `model` dashboards come from the YAML model; `saved` ones were made by a maker of this tenant. */
  source: 'model' | 'saved';
  version?: number;
  updatedAt?: string;
}

export interface SavedDashboard {
  dashboard: Dashboard;
  version: number;
  /**
   * Reverts this write. Routes call it when the write's audit event cannot be recorded, so a
   * failed request leaves the store as it found it.
   */
  undo(): Promise<void>;
}

/** The same refusal for "does not exist" and "not yours", so a token cannot probe which ids exist. */
function forbidden(): PerchError {
  return new PerchError('resource_forbidden', { path: 'dashboard', message: 'dashboard: not available to this token' });
}

/**
 * Every dashboard a token can reach: the model's dashboards, and the dashboards makers of the
 * token's tenant saved. Out-of-scope and unknown ids get the same 403, whichever kind they are.
 *
 * @example
 * ```ts
 * const directory = new DashboardDirectory({ model, store, workspaces: ctx.workspaces, dialect: 'duckdb', engine: () => ({ maxLimit: 50_000 }) });
 * const dashboard = await directory.open(claims, 'sales');
 * ```
 */
export class DashboardDirectory {
  readonly #options: DashboardDirectoryOptions;

  constructor(options: DashboardDirectoryOptions) {
    this.#options = options;
  }

  /** A dashboard in the token's scope, or 403 `resource_forbidden`. */
  async open(claims: EmbedTokenClaims, id: string): Promise<Dashboard> {
    const found = await this.find(claims, id);
    if (!found) throw forbidden();
    return found;
  }

  /** Like `open`, `undefined` instead of the 403 (the query path's lookup of saved dashboards). */
  async find(claims: EmbedTokenClaims, id: string): Promise<Dashboard | undefined> {
    if (!inDashboardScope(claims, id)) return undefined;
    const fromModel = this.#options.model.dashboards.get(id);
    if (fromModel) return fromModel;
    const tenant = tenantOf(claims, this.#options.workspaces);
    if (!tenant) return undefined;
    const row = await this.#options.store.get(tenant, id);
    return row ? this.#revalidate(row) : undefined;
  }

  /** The dashboards the token may open: in scope, and (for saved ones) of its own tenant. */
  async list(claims: EmbedTokenClaims): Promise<DashboardSummary[]> {
    const out: DashboardSummary[] = [];
    for (const dashboard of this.#options.model.dashboards.values()) {
      if (inDashboardScope(claims, dashboard.id)) out.push(summary(dashboard, 'model'));
    }
    const tenant = tenantOf(claims, this.#options.workspaces);
    if (tenant) {
      for (const row of await this.#options.store.list(tenant)) {
        if (!inDashboardScope(claims, row.id) || this.#options.model.dashboards.has(row.id)) continue;
        const dashboard = this.#tryRevalidate(row);
        if (dashboard) out.push({ ...summary(dashboard, 'saved'), version: row.version, updatedAt: row.updatedAt.toISOString() });
      }
    }
    return out;
  }

  /**
   * Save a new dashboard for the maker's tenant. It is validated exactly like a model dashboard,
   * and every chart query must compile for this maker, so nobody saves what they could not run.
   *
   * @throws PerchError `role_forbidden`, `resource_forbidden` (id outside the token's scope),
   *   `conflict` (id taken), `invalid_request`/engine codes with a field path.
   */
  async create(claims: EmbedTokenClaims, input: unknown): Promise<SavedDashboard> {
    const { tenant, dashboard } = this.#checkWrite(claims, input);
    if (this.#options.model.dashboards.has(dashboard.id)) throw new PerchError('conflict', { path: 'id', message: 'id: a model dashboard already uses this id' });
    const store = this.#options.store;
    const row = await store.insert(tenant, dashboard.id, input, claims.sub);
    if (!row) throw new PerchError('conflict', { path: 'id', message: 'id: a dashboard with this id already exists' });
    return { dashboard, version: row.version, undo: () => store.deleteVersion(tenant, row.id, row.version) };
  }

  /** Replace a saved dashboard of the maker's tenant (the id in the body must match the path). */
  async update(claims: EmbedTokenClaims, id: string, input: unknown, expectedVersion?: number): Promise<SavedDashboard> {
    this.#requireMaker(claims);
    if (!inDashboardScope(claims, id) || this.#options.model.dashboards.has(id)) throw forbidden();
    const { tenant, dashboard } = this.#checkWrite(claims, input);
    if (dashboard.id !== id) throw new PerchError('invalid_request', { path: 'id', message: 'id: must match the dashboard in the path' });
    const store = this.#options.store;
    const previous = await store.get(tenant, id);
    const row = previous ? await store.update(tenant, id, input, claims.sub, expectedVersion ?? previous.version) : undefined;
    if (row && previous) return { dashboard, version: row.version, undo: () => store.restore(tenant, previous, row.version) };
    if (previous) {
      throw new PerchError('conflict', { path: 'version', message: 'version: the dashboard changed since it was read' });
    }
    throw forbidden();
  }

  /** Delete a saved dashboard of the maker's tenant; resolves with the undo of the delete. */
  async delete(claims: EmbedTokenClaims, id: string): Promise<{ undo(): Promise<void> }> {
    this.#requireMaker(claims);
    if (!inDashboardScope(claims, id) || this.#options.model.dashboards.has(id)) throw forbidden();
    const tenant = requireTenant(claims, this.#options.workspaces);
    const store = this.#options.store;
    const previous = await store.get(tenant, id);
    if (!previous || !(await store.delete(tenant, id))) throw forbidden();
    return { undo: () => store.restore(tenant, previous, undefined) };
  }

  #requireMaker(claims: EmbedTokenClaims): void {
    if (!roleAtLeast(claims.user.role, 'maker')) throw new PerchError('role_forbidden', { message: 'Only makers can change dashboards.' });
  }

  #checkWrite(claims: EmbedTokenClaims, input: unknown): { tenant: TenantKey; dashboard: Dashboard } {
    this.#requireMaker(claims);
    const tenant = requireTenant(claims, this.#options.workspaces);
    const dashboard = this.#validate(input);
    if (!inDashboardScope(claims, dashboard.id)) throw forbidden();
    dashboard.charts.forEach((chart, i) => {
      try {
        compileQuery(this.#options.model, chart.query, claims.user, this.#options.dialect, this.#options.engine());
      } catch (error) {
        if (!(error instanceof PerchError)) throw error;
        // A query-shape error points into the chart's query; an RLS refusal is about the maker's
        // token, so it names the chart whose query the maker could not run.
        const inQuery = error.path !== undefined && !error.code.startsWith('rls_');
        const path = `charts[${i}].query${inQuery ? `.${error.path}` : ''}`;
        throw new PerchError(error.code, { path, message: `${path}: ${error.message}`, cause: error });
      }
    });
    return { tenant, dashboard };
  }

  /** Engine validation, with its issues turned into a 400 naming the first offending field. */
  #validate(input: unknown): Dashboard {
    try {
      return parseDashboard(this.#options.model, input, 'api');
    } catch (error) {
      if (!(error instanceof ModelValidationError)) throw error;
      const first = error.issues[0];
      const path = first?.path ?? '';
      throw new PerchError('invalid_request', { path, message: `${path || 'dashboard'}: ${first?.message ?? 'invalid dashboard'}`, detail: error.detail });
    }
  }

  /** A saved dashboard is checked again on read: the model may have changed since it was saved. */
  #revalidate(row: StoredDashboardRow): Dashboard {
    const dashboard = this.#tryRevalidate(row);
    if (!dashboard) throw new PerchError('conflict', { path: 'dashboard', message: 'dashboard: no longer valid against the semantic model; a maker must update it' });
    return dashboard;
  }

  #tryRevalidate(row: StoredDashboardRow): Dashboard | undefined {
    try {
      return parseDashboard(this.#options.model, row.definition, 'store');
    } catch (error) {
      if (error instanceof ModelValidationError) return undefined;
      throw error;
    }
  }
}

function summary(dashboard: Dashboard, source: DashboardSummary['source']): DashboardSummary {
  return { id: dashboard.id, title: dashboard.title, ...(dashboard.description !== undefined ? { description: dashboard.description } : {}), source };
}
