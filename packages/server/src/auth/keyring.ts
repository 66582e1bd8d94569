import { randomBytes, webcrypto } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TOKEN_TTL, CLOCK_SKEW_SECONDS } from '@perch/protocol';
import type { PerchDatabase } from '../store/schema.js';
import { addActiveTokenKey, listUsableTokenKeys } from '../store/token-keys.js';
import { randomId } from './secrets.js';
import type { MasterKey } from './master-key.js';
import type { Clock } from '../store/clock.js';

export interface TokenKey {
  kid: string;
  workspaceId: string;
  /**
   * Imported once as a WebCrypto AES-GCM key: handing jose a ready CryptoKey avoids a key import
   * on every encryption and decryption.
   */
  key: webcrypto.CryptoKey;
  /** Epoch ms after which the key stops verifying; undefined for the active key. */
  retireAfter: number | undefined;
}

/**
 * Old keys keep verifying for the longest token lifetime plus clock skew after a rotation, so
 * no token minted before the rotation fails while it is still valid.
 */
export const KEY_OVERLAP_MS = (TOKEN_TTL.maxSeconds + CLOCK_SKEW_SECONDS) * 1000;

/**
 * The token keys of every workspace, held in memory for verification and refreshed from the
 * store after each local change (and by the replica sync loop).
 */
export class Keyring {
  private byKid = new Map<string, TokenKey>();
  private active = new Map<string, TokenKey>();

  constructor(
    private readonly db: Kysely<PerchDatabase>,
    private readonly masterKey: MasterKey,
    private readonly clock: Clock,
  ) {}

  /** Reload one workspace's keys; creates the first key when the workspace has none. */
  async load(workspaceId: string): Promise<void> {
    const rows = await listUsableTokenKeys(this.db, workspaceId, new Date(this.clock.now()));
    if (rows.length === 0) {
      await this.rotate(workspaceId);
      return;
    }
    const keys: TokenKey[] = [];
    for (const row of rows) {
      const secret = await this.masterKey.unwrap(row.secret);
      keys.push({ kid: row.id, workspaceId, key: await importTokenKey(secret), retireAfter: row.retire_after ? row.retire_after.getTime() : undefined });
    }
    for (const [kid, key] of this.byKid) if (key.workspaceId === workspaceId) this.byKid.delete(kid);
    for (const key of keys) this.byKid.set(key.kid, key);
    const newest = keys.find((k) => k.retireAfter === undefined) ?? keys[0];
    if (newest) this.active.set(workspaceId, newest);
  }

  /** Add a new active key; the previous ones verify until the overlap window has passed. */
  async rotate(workspaceId: string): Promise<TokenKey> {
    const secret = randomBytes(32);
    const kid = randomId('tk', 20);
    await addActiveTokenKey(this.db, { id: kid, workspaceId, secret: await this.masterKey.wrap(secret) }, new Date(this.clock.now() + KEY_OVERLAP_MS));
    await this.load(workspaceId);
    const key = this.byKid.get(kid);
    if (!key) throw new Error('token key rotation did not persist');
    return key;
  }

  activeKey(workspaceId: string): TokenKey | undefined {
    return this.active.get(workspaceId);
  }

  /** The key for a `kid`, if it exists and has not retired. */
  keyFor(kid: string): TokenKey | undefined {
    const key = this.byKid.get(kid);
    if (!key) return undefined;
    if (key.retireAfter !== undefined && key.retireAfter <= this.clock.now()) return undefined;
    return key;
  }
}

function importTokenKey(secret: Uint8Array): Promise<webcrypto.CryptoKey> {
  // Extractable so operators' tooling (and the independent-decryption test) can read the raw key.
  return webcrypto.subtle.importKey('raw', secret, { name: 'AES-GCM' }, true, ['encrypt', 'decrypt']);
}
