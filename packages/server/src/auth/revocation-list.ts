import type { Kysely } from 'kysely';
import type { PerchDatabase } from '../store/schema.js';
import { insertRevocation, listActiveRevocations, type NewRevocation } from '../store/revocations.js';
import type { Clock } from '../store/clock.js';

/**
 * Revocations held in memory so every verification (cached or not) checks them with two map
 * look-ups. A local revocation is applied here before the HTTP response returns, so it wins
 * immediately in this process; other replicas pick it up through the sync loop.
 */
export class RevocationList {
  private tokenIds = new Set<string>();
  /** `${workspace}\u0000${distinctId}` → epoch ms; tokens issued at or before it are revoked. */
  private issuedBefore = new Map<string, number>();
  /** Revocations applied while a `load()` was reading; re-applied so a reload cannot drop them. */
  private readonly appliedDuringLoads = new Set<NewRevocation[]>();

  constructor(
    private readonly db: Kysely<PerchDatabase>,
    private readonly clock: Clock,
  ) {}

  async load(): Promise<void> {
    // A replica reloads on change notices while local revocations keep arriving; one added
    // after the read below started would otherwise vanish until the next reload.
    const appliedMeanwhile: NewRevocation[] = [];
    this.appliedDuringLoads.add(appliedMeanwhile);
    let rows: Awaited<ReturnType<typeof listActiveRevocations>>;
    try {
      rows = await listActiveRevocations(this.db, new Date(this.clock.now()));
    } finally {
      this.appliedDuringLoads.delete(appliedMeanwhile);
    }
    const tokenIds = new Set<string>();
    const issuedBefore = new Map<string, number>();
    for (const row of rows) {
      if (row.token_id) tokenIds.add(`${row.workspace_id}\u0000${row.token_id}`);
      if (row.distinct_id && row.issued_before) {
        const key = `${row.workspace_id}\u0000${row.distinct_id}`;
        issuedBefore.set(key, Math.max(issuedBefore.get(key) ?? 0, row.issued_before.getTime()));
      }
    }
    this.tokenIds = tokenIds;
    this.issuedBefore = issuedBefore;
    for (const revocation of appliedMeanwhile) this.apply(revocation);
  }

  async add(revocation: NewRevocation): Promise<void> {
    await insertRevocation(this.db, revocation);
    this.apply(revocation);
  }

  private apply(revocation: NewRevocation): void {
    for (const pending of this.appliedDuringLoads) pending.push(revocation);
    if ('tokenId' in revocation) {
      this.tokenIds.add(`${revocation.workspaceId}\u0000${revocation.tokenId}`);
    } else {
      const key = `${revocation.workspaceId}\u0000${revocation.distinctId}`;
      this.issuedBefore.set(key, Math.max(this.issuedBefore.get(key) ?? 0, revocation.issuedBefore.getTime()));
    }
  }

  /** `iatSeconds` is the token's `iat`. Same-second tokens count as revoked: the safe side. */
  isRevoked(workspaceId: string, tokenId: string, distinctId: string, iatSeconds: number): boolean {
    if (this.tokenIds.has(`${workspaceId}\u0000${tokenId}`)) return true;
    const before = this.issuedBefore.get(`${workspaceId}\u0000${distinctId}`);
    return before !== undefined && iatSeconds * 1000 <= before;
  }
}
