import type { Kysely } from 'kysely';
import type { PerchDatabase } from './schema.js';

export async function listOrigins(db: Kysely<PerchDatabase>, workspaceId: string): Promise<string[]> {
  const rows = await db.selectFrom('origins').select('origin').where('workspace_id', '=', workspaceId).orderBy('origin').execute();
  return rows.map((r) => r.origin);
}

/** Replace the whole set atomically: a failed request leaves the previous set untouched. */
export async function replaceOrigins(db: Kysely<PerchDatabase>, workspaceId: string, origins: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('origins').where('workspace_id', '=', workspaceId).execute();
    if (origins.length > 0) {
      await trx
        .insertInto('origins')
        .values(origins.map((origin) => ({ workspace_id: workspaceId, origin })))
        .execute();
    }
  });
}
