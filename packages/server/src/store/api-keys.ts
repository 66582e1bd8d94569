import type { Kysely, Selectable } from 'kysely';
import type { ApiKeyEnvironment, ApiKeyScope, ApiKeysTable, PerchDatabase } from './schema.js';

export type ApiKeyRecord = Selectable<ApiKeysTable>;

export interface NewApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  keyHash: string;
  env: ApiKeyEnvironment;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
}

export async function insertApiKey(db: Kysely<PerchDatabase>, key: NewApiKeyRecord): Promise<ApiKeyRecord> {
  return db
    .insertInto('api_keys')
    .values({
      id: key.id,
      workspace_id: key.workspaceId,
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      env: key.env,
      scopes: JSON.stringify(key.scopes),
      expires_at: key.expiresAt ?? null,
      last_used_at: null,
      revoked_at: null,
      replaced_by: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiKeyByHash(db: Kysely<PerchDatabase>, keyHash: string): Promise<ApiKeyRecord | undefined> {
  return db.selectFrom('api_keys').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

export async function getApiKey(db: Kysely<PerchDatabase>, workspaceId: string, id: string): Promise<ApiKeyRecord | undefined> {
  return db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function listApiKeys(db: Kysely<PerchDatabase>, workspaceId: string): Promise<ApiKeyRecord[]> {
  return db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
}

export async function countApiKeys(db: Kysely<PerchDatabase>): Promise<number> {
  const row = await db.selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Revoke a key now. Returns false when the key does not exist or was already revoked. */
export async function revokeApiKey(db: Kysely<PerchDatabase>, workspaceId: string, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Rotation, in one transaction: insert the successor and give the old key a deadline (the earlier
 * of its own expiry and `deadline`), so a host can deploy the new key before the old one stops.
 */
export async function rotateApiKey(
  db: Kysely<PerchDatabase>,
  oldKey: ApiKeyRecord,
  successor: NewApiKeyRecord,
  deadline: Date,
): Promise<ApiKeyRecord> {
  return db.transaction().execute(async (trx) => {
    const inserted = await insertApiKey(trx, successor);
    const effectiveDeadline = oldKey.expires_at && oldKey.expires_at < deadline ? oldKey.expires_at : deadline;
    await trx.updateTable('api_keys').set({ replaced_by: inserted.id, expires_at: effectiveDeadline }).where('id', '=', oldKey.id).execute();
    return inserted;
  });
}

/** Delete a key that was never disclosed to anyone: the undo of a create whose audit event failed. */
export async function deleteUndisclosedApiKey(db: Kysely<PerchDatabase>, workspaceId: string, id: string): Promise<void> {
  await db.deleteFrom('api_keys').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/**
 * Undo a rotation whose audit event failed: the old key gets back its deadline and its place
 * (no successor), and the successor, never disclosed, is deleted, in one transaction.
 */
export async function undoRotateApiKey(db: Kysely<PerchDatabase>, oldKey: ApiKeyRecord, successorId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_keys').set({ replaced_by: null, expires_at: oldKey.expires_at }).where('id', '=', oldKey.id).where('replaced_by', '=', successorId).execute();
    await trx.deleteFrom('api_keys').where('workspace_id', '=', oldKey.workspace_id).where('id', '=', successorId).execute();
  });
}

export async function touchApiKey(db: Kysely<PerchDatabase>, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}
