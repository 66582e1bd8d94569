import type { Kysely, Selectable } from 'kysely';
import type { PerchDatabase, TokenKeysTable } from './schema.js';

export type TokenKeyRecord = Selectable<TokenKeysTable>;

/** Keys that may still verify at `now`: the active one and those inside their retirement window. */
export async function listUsableTokenKeys(db: Kysely<PerchDatabase>, workspaceId: string, now: Date): Promise<TokenKeyRecord[]> {
  return db
    .selectFrom('token_keys')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('retire_after', 'is', null), eb('retire_after', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/**
 * Add a new active key and schedule every other usable key of the workspace to retire at
 * `retireOthersAfter`. Old keys keep verifying until then, so rotation never fails a token
 * that is still within its TTL.
 */
export async function addActiveTokenKey(
  db: Kysely<PerchDatabase>,
  key: { id: string; workspaceId: string; secret: string },
  retireOthersAfter: Date,
): Promise<TokenKeyRecord> {
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable('token_keys')
      .set({ retire_after: retireOthersAfter })
      .where('workspace_id', '=', key.workspaceId)
      .where('retire_after', 'is', null)
      .execute();
    return trx
      .insertInto('token_keys')
      .values({ id: key.id, workspace_id: key.workspaceId, secret: key.secret, retire_after: null })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
