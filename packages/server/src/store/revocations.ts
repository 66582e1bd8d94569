import type { Kysely, Selectable } from 'kysely';
import type { PerchDatabase, RevocationsTable } from './schema.js';

export type RevocationRecord = Selectable<RevocationsTable>;

export type NewRevocation =
  | { id: string; workspaceId: string; tokenId: string; expiresAt: Date }
  | { id: string; workspaceId: string; distinctId: string; issuedBefore: Date; expiresAt: Date };

export async function insertRevocation(db: Kysely<PerchDatabase>, revocation: NewRevocation): Promise<RevocationRecord> {
  const byToken = 'tokenId' in revocation;
  return db
    .insertInto('revocations')
    .values({
      id: revocation.id,
      workspace_id: revocation.workspaceId,
      token_id: byToken ? revocation.tokenId : null,
      distinct_id: byToken ? null : revocation.distinctId,
      issued_before: byToken ? null : revocation.issuedBefore,
      expires_at: revocation.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Revocations that can still match a live token. Expired ones are irrelevant and skipped. */
export async function listActiveRevocations(db: Kysely<PerchDatabase>, now: Date): Promise<RevocationRecord[]> {
  return db.selectFrom('revocations').selectAll().where('expires_at', '>', now).orderBy('created_at').execute();
}
