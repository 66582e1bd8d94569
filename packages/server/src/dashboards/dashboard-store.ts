import type { ColumnType, Kysely, Transaction } from 'kysely';
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

/** The `dashboard_versions` table of migration 0007: every saved version, the current one included. */
export interface DashboardVersionsTable {
  workspace_id: string;
  tenant_key: string;
  id: string;
  version: number;
  definition: ColumnType<unknown, string, string>;
  saved_by: string;
  saved_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

type Tables = PerchDatabase & { dashboards: DashboardsTable; dashboard_versions: DashboardVersionsTable };
type Db = Kysely<Tables>;
type Trx = Transaction<Tables>;

export interface StoredDashboardRow {
  id: string;
  definition: unknown;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** One entry of a dashboard's history. */
export interface StoredDashboardVersion {
  version: number;
  definition: unknown;
  savedBy: string;
  savedAt: Date;
}

/** Where a stored dashboard lives: every query filters on both, so tenants never meet. */
export interface TenantKey {
  workspaceId: string;
  tenantKey: string;
}

/** What a delete removed, so that it can be put back exactly. */
export interface DeletedDashboard {
  row: StoredDashboardRow;
  versions: StoredDashboardVersion[];
}

function toRow(row: { id: string; definition: unknown; version: number; created_by: string; updated_by: string; created_at: Date; updated_at: Date }): StoredDashboardRow {
  return { id: row.id, definition: row.definition, version: row.version, createdBy: row.created_by, updatedBy: row.updated_by, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toVersion(row: { version: number; definition: unknown; saved_by: string; saved_at: Date }): StoredDashboardVersion {
  return { version: row.version, definition: row.definition, savedBy: row.saved_by, savedAt: row.saved_at };
}

/**
 * Data access for maker dashboards and their versions. Every method takes the tenant key and puts
 * it in the WHERE clause, so no call path can read or write another tenant's row by id alone.
 * Each write changes the dashboard and its history in one transaction: they cannot disagree.
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
    this.#db = db.withTables<{ dashboards: DashboardsTable; dashboard_versions: DashboardVersionsTable }>();
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

  /** A dashboard's history, newest first. */
  async versions(key: TenantKey, id: string): Promise<StoredDashboardVersion[]> {
    const rows = await this.#db
      .selectFrom('dashboard_versions')
      .select(['version', 'definition', 'saved_by', 'saved_at'])
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  /** One version of a dashboard's history, or `undefined`. */
  async version(key: TenantKey, id: string, version: number): Promise<StoredDashboardVersion | undefined> {
    const row = await this.#db
      .selectFrom('dashboard_versions')
      .select(['version', 'definition', 'saved_by', 'saved_at'])
      .where('workspace_id', '=', key.workspaceId)
      .where('tenant_key', '=', key.tenantKey)
      .where('id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    return row ? toVersion(row) : undefined;
  }

  /**
   * Insert a new dashboard and its first version. `'taken'` when the id is already used in this
   * tenant, `'full'` when the tenant already has `maxPerTenant` dashboards.
   */
  async insert(key: TenantKey, id: string, definition: unknown, by: string, maxPerTenant = Number.POSITIVE_INFINITY): Promise<StoredDashboardRow | 'taken' | 'full'> {
    return this.#db.transaction().execute(async (trx) => {
      const { count } = await trx
        .selectFrom('dashboards')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('workspace_id', '=', key.workspaceId)
        .where('tenant_key', '=', key.tenantKey)
        .executeTakeFirstOrThrow();
      if (Number(count) >= maxPerTenant) return 'full';
      const row = await trx
        .insertInto('dashboards')
        .values({ workspace_id: key.workspaceId, tenant_key: key.tenantKey, id, definition: JSON.stringify(definition), created_by: by, updated_by: by })
        .onConflict((oc) => oc.columns(['workspace_id', 'tenant_key', 'id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) return 'taken';
      await insertVersion(trx, key, toRow(row));
      return toRow(row);
    });
  }

  /**
   * Replace a dashboard while it is still at `expectedVersion`, keeping the new definition in its
   * history; `undefined` when it does not exist or is at another version.
   */
  async update(key: TenantKey, id: string, definition: unknown, by: string, expectedVersion: number): Promise<StoredDashboardRow | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('dashboards')
        .set((eb) => ({ definition: JSON.stringify(definition), updated_by: by, updated_at: new Date(), version: eb('version', '+', 1) }))
        .where('workspace_id', '=', key.workspaceId)
        .where('tenant_key', '=', key.tenantKey)
        .where('id', '=', id)
        .where('version', '=', expectedVersion)
        .returningAll()
        .executeTakeFirst();
      if (!updated) return undefined;
      const row = toRow(updated);
      await insertVersion(trx, key, row);
      return row;
    });
  }

  /**
   * Undo an update: put the row back exactly as it was and forget the version the update made.
   * Only while the row is still at `currentVersion`, so a later write by someone else is kept.
   */
  async revertUpdate(key: TenantKey, previous: StoredDashboardRow, currentVersion: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const reverted = await trx
        .updateTable('dashboards')
        .set({ definition: JSON.stringify(previous.definition), version: previous.version, updated_by: previous.updatedBy, updated_at: previous.updatedAt })
        .where('workspace_id', '=', key.workspaceId)
        .where('tenant_key', '=', key.tenantKey)
        .where('id', '=', previous.id)
        .where('version', '=', currentVersion)
        .executeTakeFirst();
      if (reverted.numUpdatedRows > 0n) await deleteVersions(trx, key, previous.id, currentVersion);
    });
  }

  /** Undo a create: delete the dashboard and its history, only while it is still at `version`. */
  async revertInsert(key: TenantKey, id: string, version: number): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const deleted = await trx
        .deleteFrom('dashboards')
        .where('workspace_id', '=', key.workspaceId)
        .where('tenant_key', '=', key.tenantKey)
        .where('id', '=', id)
        .where('version', '=', version)
        .executeTakeFirst();
      if (deleted.numDeletedRows > 0n) await deleteVersions(trx, key, id);
    });
  }

  /**
   * Delete a dashboard and its history, only while it is at `expectedVersion` when one is given.
   * Resolves with what was deleted (to undo it), `'stale'` when the version did not match, or
   * `undefined` when there was no such dashboard.
   */
  async delete(key: TenantKey, id: string, expectedVersion?: number): Promise<DeletedDashboard | 'stale' | undefined> {
    return this.#db.transaction().execute(async (trx) => {
      let query = trx.deleteFrom('dashboards').where('workspace_id', '=', key.workspaceId).where('tenant_key', '=', key.tenantKey).where('id', '=', id);
      if (expectedVersion !== undefined) query = query.where('version', '=', expectedVersion);
      const deleted = await query.returningAll().executeTakeFirst();
      if (!deleted) {
        const exists = await trx.selectFrom('dashboards').select('id').where('workspace_id', '=', key.workspaceId).where('tenant_key', '=', key.tenantKey).where('id', '=', id).executeTakeFirst();
        return exists ? 'stale' : undefined;
      }
      const versions = await trx
        .deleteFrom('dashboard_versions')
        .where('workspace_id', '=', key.workspaceId)
        .where('tenant_key', '=', key.tenantKey)
        .where('id', '=', id)
        .returning(['version', 'definition', 'saved_by', 'saved_at'])
        .execute();
      return { row: toRow(deleted), versions: versions.map(toVersion) };
    });
  }

  /** Undo a delete: the dashboard and its history back as they were, unless the id was taken again meanwhile. */
  async revertDelete(key: TenantKey, deleted: DeletedDashboard): Promise<void> {
    await this.#db.transaction().execute(async (trx) => {
      const { row } = deleted;
      const inserted = await trx
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
        .returning('id')
        .executeTakeFirst();
      if (!inserted || deleted.versions.length === 0) return;
      await trx
        .insertInto('dashboard_versions')
        .values(
          deleted.versions.map((v) => ({
            workspace_id: key.workspaceId,
            tenant_key: key.tenantKey,
            id: row.id,
            version: v.version,
            definition: JSON.stringify(v.definition),
            saved_by: v.savedBy,
            saved_at: v.savedAt,
          })),
        )
        .onConflict((oc) => oc.columns(['workspace_id', 'tenant_key', 'id', 'version']).doNothing())
        .execute();
    });
  }
}

async function insertVersion(trx: Trx, key: TenantKey, row: StoredDashboardRow): Promise<void> {
  await trx
    .insertInto('dashboard_versions')
    .values({ workspace_id: key.workspaceId, tenant_key: key.tenantKey, id: row.id, version: row.version, definition: JSON.stringify(row.definition), saved_by: row.updatedBy, saved_at: row.updatedAt })
    // A version number can come back after an undone write; the newer save replaces what was left.
    .onConflict((oc) => oc.columns(['workspace_id', 'tenant_key', 'id', 'version']).doUpdateSet({ definition: JSON.stringify(row.definition), saved_by: row.updatedBy, saved_at: row.updatedAt }))
    .execute();
}

async function deleteVersions(trx: Trx, key: TenantKey, id: string, version?: number): Promise<void> {
  let query = trx.deleteFrom('dashboard_versions').where('workspace_id', '=', key.workspaceId).where('tenant_key', '=', key.tenantKey).where('id', '=', id);
  if (version !== undefined) query = query.where('version', '=', version);
  await query.execute();
}
