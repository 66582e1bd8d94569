import {
  PerchError,
  roleAtLeast,
  type DashboardDefinitionResponse,
  type DashboardListResponse,
  type DashboardSummary,
  type DashboardVersionsResponse,
  type EmbedTokenClaims,
} from '@perch/protocol';
import { ModelValidationError, compileQuery, parseDashboard, type Dashboard, type DialectName, type EngineOptions, type Model } from '@perch/engine';
import type { WorkspaceDirectory } from '../auth/workspace-directory.js';
import type { DashboardStore, StoredDashboardRow, TenantKey } from './dashboard-store.js';
import { inDashboardScope, requireTenant, tenantOf } from './tenant.js';
import { chartRuns, definitionForToken, type CompileOptions } from './definition-view.js';
import { checkDefinitionLimits, type DashboardLimits } from './write-limits.js';

export type { DashboardSummary } from '@perch/protocol';

export interface DashboardDirectoryOptions {
  model: Model;
  store: DashboardStore;
  workspaces: Pick<WorkspaceDirectory, 'get'>;
  dialect: DialectName;
  engine: () => EngineOptions;
  /** `limits.dashboards` of the config; the defaults when left out. */
  limits?: DashboardLimits;
}

const DEFAULT_LIMITS: DashboardLimits = { maxTiles: 50, maxSavedPerTenant: 500, maxDefinitionBytes: 262_144 };

export interface SavedDashboard {
  dashboard: Dashboard;
  version: number;
  /**
   * Reverts this write. Routes call it when the write's audit event cannot be recorded, so a
   * failed request leaves the store as it found it.
   */
  undo(): Promise<void>;
}

/** A dashboard the token reaches, and where it comes from. */
type Located = { source: 'model'; dashboard: Dashboard } | { source: 'saved'; dashboard: Dashboard; row: StoredDashboardRow };

/** The same refusal for "does not exist" and "not yours", so a token cannot probe which ids exist. */
function forbidden(): PerchError {
  return new PerchError('resource_forbidden', { path: 'dashboard', message: 'dashboard: not available to this token' });
}

function editConflict(): PerchError {
  return new PerchError('edit_conflict', { path: 'if-match' });
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

  get #limits(): DashboardLimits {
    return this.#options.limits ?? DEFAULT_LIMITS;
  }

  #compile(): CompileOptions {
    return { model: this.#options.model, dialect: this.#options.dialect, engine: this.#options.engine() };
  }

  /** A dashboard in the token's scope, or 403 `resource_forbidden`. */
  async open(claims: EmbedTokenClaims, id: string): Promise<Dashboard> {
    const found = await this.find(claims, id);
    if (!found) throw forbidden();
    return found;
  }

  /** Like `open`, `undefined` instead of the 403 (the query path's lookup of saved dashboards). */
  async find(claims: EmbedTokenClaims, id: string): Promise<Dashboard | undefined> {
    return (await this.#locate(claims, id))?.dashboard;
  }

  async #locate(claims: EmbedTokenClaims, id: string): Promise<Located | undefined> {
    if (!inDashboardScope(claims, id)) return undefined;
    const fromModel = this.#options.model.dashboards.get(id);
    if (fromModel) return { source: 'model', dashboard: fromModel };
    const tenant = tenantOf(claims, this.#options.workspaces);
    if (!tenant) return undefined;
    const row = await this.#options.store.get(tenant, id);
    return row ? { source: 'saved', dashboard: this.#revalidate(row), row } : undefined;
  }

  /**
   * The dashboards the token may open: in scope, and (for saved ones) of its own tenant. A saved
   * one is `editable` for a maker who can run every one of its charts: saving it back can then
   * never drop a chart the maker was not shown.
   */
  async list(claims: EmbedTokenClaims): Promise<DashboardListResponse> {
    const maker = roleAtLeast(claims.user.role, 'maker');
    const out: DashboardSummary[] = [];
    for (const dashboard of this.#options.model.dashboards.values()) {
      if (inDashboardScope(claims, dashboard.id)) out.push(summary(dashboard, 'model', false));
    }
    const tenant = tenantOf(claims, this.#options.workspaces);
    if (tenant) {
      const compile = this.#compile();
      // One token, many dashboards: a query used by several charts is compiled once per list.
      const decided = new Map<string, boolean>();
      const runs = (query: unknown): boolean => {
        const key = JSON.stringify(query);
        let answer = decided.get(key);
        if (answer === undefined) decided.set(key, (answer = chartRuns(compile, claims, query)));
        return answer;
      };
      for (const row of await this.#options.store.list(tenant)) {
        if (!inDashboardScope(claims, row.id) || this.#options.model.dashboards.has(row.id)) continue;
        const dashboard = this.#tryRevalidate(row);
        if (!dashboard) continue;
        const editable = maker && dashboard.charts.every((chart) => runs(chart.query));
        out.push({ ...summary(dashboard, 'saved', editable), version: row.version, updatedAt: row.updatedAt.toISOString() });
      }
    }
    return { dashboards: out, canCreate: maker && tenant !== undefined };
  }

  /**
   * A dashboard's stored definition for the editor (makers and admins). Charts this maker cannot
   * run are left out and listed by id; such a dashboard is not editable. Model dashboards are
   * never editable: the editor offers to save a copy.
   *
   * @throws PerchError `role_forbidden`, `resource_forbidden`.
   */
  async definition(claims: EmbedTokenClaims, id: string): Promise<DashboardDefinitionResponse> {
    this.#requireMaker(claims);
    const located = await this.#locate(claims, id);
    if (!located) throw forbidden();
    const { definition, omittedCharts, trimmed } = definitionForToken(located.dashboard, claims, this.#compile());
    if (located.source === 'model') return { definition, source: 'model', editable: false, omittedCharts };
    return { definition, source: 'saved', version: located.row.version, editable: !trimmed, omittedCharts };
  }

  /**
   * Save a new dashboard for the maker's tenant. It is validated exactly like a model dashboard,
   * and every chart query must compile for this maker, so nobody saves what they could not run.
   *
   * @throws PerchError `role_forbidden`, `resource_forbidden` (id outside the token's scope),
   *   `conflict` (id taken), `too_many_dashboards`, `too_many_tiles`, `body_too_large`,
   *   `invalid_request`/engine codes with a field path.
   */
  async create(claims: EmbedTokenClaims, input: unknown): Promise<SavedDashboard> {
    const { tenant, dashboard } = this.#checkWrite(claims, input);
    if (this.#options.model.dashboards.has(dashboard.id)) throw new PerchError('conflict', { path: 'id', message: 'id: a model dashboard already uses this id' });
    const store = this.#options.store;
    const row = await store.insert(tenant, dashboard.id, input, claims.sub, this.#limits.maxSavedPerTenant);
    if (row === 'taken') throw new PerchError('conflict', { path: 'id', message: 'id: a dashboard with this id already exists' });
    if (row === 'full') throw new PerchError('too_many_dashboards', { message: `This organisation already has ${this.#limits.maxSavedPerTenant} saved dashboards.` });
    return { dashboard, version: row.version, undo: () => store.revertInsert(tenant, row.id, row.version) };
  }

  /**
   * Replace a saved dashboard of the maker's tenant (the id in the body must match the path),
   * if it is still at `expectedVersion` (the request's `If-Match`).
   *
   * @throws PerchError `precondition_required` without a version, `edit_conflict` when stale.
   */
  async update(claims: EmbedTokenClaims, id: string, input: unknown, expectedVersion: number | undefined): Promise<SavedDashboard> {
    const expected = this.#requireVersion(claims, expectedVersion);
    if (!inDashboardScope(claims, id) || this.#options.model.dashboards.has(id)) throw forbidden();
    const { tenant, dashboard } = this.#checkWrite(claims, input);
    if (dashboard.id !== id) throw new PerchError('invalid_request', { path: 'id', message: 'id: must match the dashboard in the path' });
    return this.#replace(claims, tenant, dashboard, input, expected);
  }

  /**
   * Make a new version whose definition is an earlier version's. The old definition is checked
   * again exactly like a new save (current model, every chart compiled for this maker), so a
   * restore cannot bring back what the maker may no longer run.
   *
   * @throws PerchError `precondition_required`, `edit_conflict`, `not_found` (no such version).
   */
  async restore(claims: EmbedTokenClaims, id: string, version: number, expectedVersion: number | undefined): Promise<SavedDashboard> {
    const expected = this.#requireVersion(claims, expectedVersion);
    if (!inDashboardScope(claims, id) || this.#options.model.dashboards.has(id)) throw forbidden();
    const tenant = requireTenant(claims, this.#options.workspaces);
    const store = this.#options.store;
    const current = await store.get(tenant, id);
    if (!current) throw forbidden();
    if (current.version !== expected) throw editConflict();
    const old = await store.version(tenant, id, version);
    if (!old) throw new PerchError('not_found', { path: 'version', message: 'version: this dashboard has no such version' });
    const { dashboard } = this.#checkWrite(claims, old.definition);
    return this.#replace(claims, tenant, dashboard, old.definition, expected);
  }

  async #replace(claims: EmbedTokenClaims, tenant: TenantKey, dashboard: Dashboard, input: unknown, expected: number): Promise<SavedDashboard> {
    const store = this.#options.store;
    const previous = await store.get(tenant, dashboard.id);
    if (!previous) throw forbidden();
    // Checked here as well as in the UPDATE's WHERE: the undo below must put back exactly the
    // row this write replaced, so `previous` has to be the version the client expected.
    if (previous.version !== expected) throw editConflict();
    const row = await store.update(tenant, dashboard.id, input, claims.sub, expected);
    if (!row) throw editConflict();
    return { dashboard, version: row.version, undo: () => store.revertUpdate(tenant, previous, row.version) };
  }

  /**
   * Delete a saved dashboard of the maker's tenant and its versions; with `expectedVersion`, only
   * while it is at that version. Resolves with the undo of the delete.
   */
  async delete(claims: EmbedTokenClaims, id: string, expectedVersion?: number): Promise<{ undo(): Promise<void> }> {
    this.#requireMaker(claims);
    if (!inDashboardScope(claims, id) || this.#options.model.dashboards.has(id)) throw forbidden();
    const tenant = requireTenant(claims, this.#options.workspaces);
    const store = this.#options.store;
    const deleted = await store.delete(tenant, id, expectedVersion);
    if (deleted === 'stale') throw editConflict();
    if (!deleted) throw forbidden();
    return { undo: () => store.revertDelete(tenant, deleted) };
  }

  /**
   * A saved dashboard's versions, newest first, the current one marked. A model dashboard has
   * none (it changes with the model, not through saves).
   */
  async versions(claims: EmbedTokenClaims, id: string): Promise<DashboardVersionsResponse> {
    this.#requireMaker(claims);
    if (!inDashboardScope(claims, id)) throw forbidden();
    if (this.#options.model.dashboards.has(id)) return { versions: [] };
    const tenant = tenantOf(claims, this.#options.workspaces);
    if (!tenant) throw forbidden();
    const store = this.#options.store;
    const current = await store.get(tenant, id);
    if (!current) throw forbidden();
    const versions = await store.versions(tenant, id);
    return {
      versions: versions.map((v) => ({
        version: v.version,
        savedAt: v.savedAt.toISOString(),
        savedBy: v.savedBy,
        ...describeStored(v.definition),
        current: v.version === current.version,
      })),
    };
  }

  #requireMaker(claims: EmbedTokenClaims): void {
    if (!roleAtLeast(claims.user.role, 'maker')) throw new PerchError('role_forbidden', { message: 'Only makers can change dashboards.' });
  }

  /** A maker, and the version the write replaces: a blind overwrite could undo a colleague's work. */
  #requireVersion(claims: EmbedTokenClaims, expected: number | undefined): number {
    this.#requireMaker(claims);
    if (expected === undefined) throw new PerchError('precondition_required', { path: 'if-match' });
    return expected;
  }

  #checkWrite(claims: EmbedTokenClaims, input: unknown): { tenant: TenantKey; dashboard: Dashboard } {
    this.#requireMaker(claims);
    const tenant = requireTenant(claims, this.#options.workspaces);
    checkDefinitionLimits(input, this.#limits);
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

function summary(dashboard: Dashboard, source: DashboardSummary['source'], editable: boolean): DashboardSummary {
  return { id: dashboard.id, title: dashboard.title, ...(dashboard.description !== undefined ? { description: dashboard.description } : {}), source, editable };
}

/** Title and chart count of a stored definition, read without trusting its shape (it may predate the model). */
function describeStored(definition: unknown): { title: string; charts: number } {
  const value = typeof definition === 'object' && definition !== null ? (definition as { title?: unknown; charts?: unknown }) : {};
  return { title: typeof value.title === 'string' ? value.title : '', charts: Array.isArray(value.charts) ? value.charts.length : 0 };
}
