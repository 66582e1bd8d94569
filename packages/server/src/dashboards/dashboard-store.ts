import type { ColumnType, Kysely } from 'kysely';
import type { PerchDatabase } from '../store/schema.js';

/** The `dashboards` table of migration 0004 (maker-saved dashboards, one tenant per row). */
export interface DashboardsTable {
  workspace_id: string;
  /** Canonical JSON of the tenant attribute value, e.g. `"acme"`. */
  tenant_key: string;
  id: string;
  /** The validated definition, as the maker sent it (the engine re-validates it on every read). */
  definition: ColumnType<unknown, string, string>;
  version: ColumnType<number, number | undefined, number>;
  created_by: string;
  updated_by: string;
  created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

type Db = Kysely<PerchDatabase & { dashboards: DashboardsTable }>;

export interface StoredDashboardRow {
  id: string;
  definition: unknown;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** Where a stored dashboard lives: every query filters on both, so tenants never meet. */
export interface TenantKey {
  workspaceId: string;
  tenantKey: string;
}

function toRow(row: { id: string; definition: unknown; version: number; created_by: string; updated_by: string; created_at: Date; updated_at: Date }): StoredDashboardRow {
  return { id: row.id, definition: row.definition, version: row.version, createdBy: row.created_by, updatedBy: row.updated_by, createdAt: row.created_at, updatedAt: row.updated_at };
}

/**
 * Data access for maker dashboards. Every method takes the tenant key and puts it in the WHERE
 * clause, so no call path can read or write another tenant's row by id alone.
 *
 * @example
 * ```ts
 * const store = new DashboardStore(ctx.store.db);
 * await store.insert({ workspaceId: 'default', tenantKey: '"acme"' }, 'mine', definition, 'alice');
 * ```
 */
export class DashboardStore {
  readonly #db: Db;

  constructor(db: Kysely<PerchDatabase>) {
    this.#db = db.withTables<{ dashboards: DashboardsTable }>();
  }

  async get(key: TenantKey, id: string): Promise<StoredDashboardRow | undefined> {
    const row = await this.#db
      .selectFrom('dashboards')
      .selectAll()
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  async list(key: TenantKey): Promise<StoredDashboardRow[]> {
    const rows = await this.#db
      .selectFrom('dashboards')
      .selectAll()
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .orderBy('id')
      .execute();
    return rows.map(toRow);
  }

  /** Insert a new dashboard; `false` when the id is already taken in this tenant. */
  async insert(key: TenantKey, id: string, definition: unknown, by: string): Promise<StoredDashboardRow | undefined> {
    const row = await this.#db
      .insertInto('dashboards')
      .values({ workspace_id: key.workspaceId, tenant_key: key.tenantKey, id, definition: JSON.stringify(definition), created_by: by, updated_by: by })
      .onConflict((oc) => oc.columns(['workspace_id', 'tenant_key', 'id']).doNothing())
      .returningAll()
      .executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  /** Replace a dashboard; `undefined` when it does not exist (or `expectedVersion` is stale). */
  async update(key: TenantKey, id: string, definition: unknown, by: string, expectedVersion?: number): Promise<StoredDashboardRow | undefined> {
    let query = this.#db
      .updateTable('dashboards')
      .set((eb) => ({ definition: JSON.stringify(definition), updated_by: by, updated_at: new Date(), version: eb('version', '+', 1) }))
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id);
    if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
    const row = await query.returningAll().executeTakeFirst();
    return row ? toRow(row) : undefined;
  }

  /**
   * Put a row back exactly as it was (after a write whose audit event could not be recorded).
   * Only while the row is still at `currentVersion`, so a later write by someone else is kept.
   */
  async restore(key: TenantKey, row: StoredDashboardRow, currentVersion: number | undefined): Promise<void> {
    if (currentVersion === undefined) {
      await this.#db
        .insertInto('dashboards')
        .values({
          workspace_id: key.workspaceId,
          tenant_key: key.tenantKey,
          id: row.id,
          definition: JSON.stringify(row.definition),
          version: row.version,
          created_by: row.createdBy,
          updated_by: row.updatedBy,
          created_at: row.createdAt,
          updated_at: row.updatedAt,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'tenant_key', 'id']).doNothing())
        .execute();
      return;
    }
    await this.#db
      .updateTable('dashboards')
      .set({ definition: JSON.stringify(row.definition), version: row.version, updated_by: row.updatedBy, updated_at: row.updatedAt })
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', row.id)
      .where('version', '=', currentVersion)
      .execute();
  }

  /** Delete a row only while it is still at `version` (undoing a create). */
  async deleteVersion(key: TenantKey, id: string, version: number): Promise<void> {
    await this.#db
      .deleteFrom('dashboards')
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id)
      .where('version', '=', version)
      .execute();
  }

  /** Delete a dashboard; `false` when there was none. */
  async delete(key: TenantKey, id: string): Promise<boolean> {
    const result = await this.#db
      .deleteFrom('dashboards')
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
