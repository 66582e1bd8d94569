import type { Kysely } from 'kysely';
import { PerchError } from '@perch/protocol';
import type { ApiKeyEnvironment, ApiKeyScope, PerchDatabase } from '../store/schema.js';
import {
  findApiKeyByHash,
  getApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  rotateApiKey,
  touchApiKey,
  deleteUndisclosedApiKey,
  undoRotateApiKey,
  type ApiKeyRecord,
} from '../store/api-keys.js';
import { generateApiKey, parseApiKey } from './api-key-format.js';
import { digestsEqual, randomId } from './secrets.js';
import type { Clock } from '../store/clock.js';

/** What a caller may see about a key: never the key or its hash. */
export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  env: ApiKeyEnvironment;
  scopes: ApiKeyScope[];
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  replacedBy: string | null;
}

export interface CreatedApiKey {
  /** The full key. Shown exactly once; only its SHA-256 is stored. */
  key: string;
  apiKey: ApiKeySummary;
}

/** A change that can be reverted while nobody has seen its result (see `auditSuccessOrUndo`). */
export interface Undoable {
  undo(): Promise<void>;
}

export interface AuthenticatedApiKey {
  id: string;
  workspaceId: string;
  env: ApiKeyEnvironment;
  scopes: readonly ApiKeyScope[];
}

export interface CreateApiKeyInput {
  workspaceId: string;
  name: string;
  env: ApiKeyEnvironment;
  scopes: ApiKeyScope[];
  expiresAt?: Date | null;
  /** Use this exact key (bootstrap only); its format is checked. */
  presetKey?: string;
}

/** How long a positive authentication is reused before the store is asked again. */
const AUTH_CACHE_MS = 1_000;
/** `last_used_at` is written at most this often per key, off the request path. */
const TOUCH_INTERVAL_MS = 60_000;

export function summarizeApiKey(row: ApiKeyRecord): ApiKeySummary {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    env: row.env,
    scopes: row.scopes,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    replacedBy: row.replaced_by,
  };
}

/**
 * API keys: creation (shown once), listing, revocation, rotation with a deadline, and
 * authentication. Authentication results are cached for one second so minting does not pay a
 * store round trip per request; a local revocation clears the cache at once, and other
 * replicas see it within that second.
 */
export class ApiKeyService {
  private readonly authCache = new Map<string, { record: ApiKeyRecord; checkedAt: number }>();
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly db: Kysely<PerchDatabase>,
    private readonly clock: Clock,
  ) {}

  /**
   * Create a key. Its `undo` deletes it again, for a caller that could not audit the creation
   * and so must not disclose the key.
   */
  async create(input: CreateApiKeyInput): Promise<CreatedApiKey & Undoable> {
    const key = input.presetKey ?? generateApiKey(input.env);
    const parsed = parseApiKey(key);
    if (!parsed || parsed.env !== input.env) throw new PerchError('invalid_request', { path: 'key', message: 'key: not a valid pk_live_/pk_test_ API key' });
    const row = await insertApiKey(this.db, {
      id: randomId('key'),
      workspaceId: input.workspaceId,
      name: input.name,
      prefix: parsed.prefix,
      keyHash: parsed.hash,
      env: input.env,
      scopes: [...new Set(input.scopes)],
      expiresAt: input.expiresAt ?? null,
    });
    return { key, apiKey: summarizeApiKey(row), undo: () => this.#changeKeys(() => deleteUndisclosedApiKey(this.db, input.workspaceId, row.id)) };
  }

  async list(workspaceId: string): Promise<ApiKeySummary[]> {
    return (await listApiKeys(this.db, workspaceId)).map(summarizeApiKey);
  }

  async revoke(workspaceId: string, id: string): Promise<ApiKeySummary> {
    const revoked = await revokeApiKey(this.db, workspaceId, id, new Date(this.clock.now()));
    const row = await getApiKey(this.db, workspaceId, id);
    if (!row) throw new PerchError('not_found', { path: 'id', message: 'No such API key.' });
    if (!revoked && !row.revoked_at) throw new PerchError('conflict', { message: 'The API key could not be revoked.' });
    this.authCache.clear();
    return summarizeApiKey(row);
  }

  /**
   * A new key with the same name, env and scopes; the old one stops at `deadline`. Its `undo`
   * puts the old key back as it was and deletes the new one.
   */
  async rotate(workspaceId: string, id: string, deadline: Date): Promise<CreatedApiKey & { previous: ApiKeySummary } & Undoable> {
    const old = await getApiKey(this.db, workspaceId, id);
    if (!old) throw new PerchError('not_found', { path: 'id', message: 'No such API key.' });
    if (old.revoked_at) throw new PerchError('conflict', { message: 'A revoked API key cannot be rotated.' });
    if (old.replaced_by) throw new PerchError('conflict', { message: 'This API key has already been rotated.' });
    const key = generateApiKey(old.env);
    const parsed = parseApiKey(key);
    if (!parsed) throw new PerchError('internal_error');
    const inserted = await rotateApiKey(
      this.db,
      old,
      { id: randomId('key'), workspaceId, name: old.name, prefix: parsed.prefix, keyHash: parsed.hash, env: old.env, scopes: old.scopes, expiresAt: old.expires_at },
      deadline,
    );
    this.authCache.clear();
    const previous = await getApiKey(this.db, workspaceId, id);
    return { key, apiKey: summarizeApiKey(inserted), previous: summarizeApiKey(previous ?? old), undo: () => this.#changeKeys(() => undoRotateApiKey(this.db, old, inserted.id)) };
  }

  /** Run a change to the stored keys, then drop the cached authentications it may have made stale. */
  async #changeKeys(change: () => Promise<void>): Promise<void> {
    await change();
    this.authCache.clear();
  }

  /**
   * Whether `presented` is a key that {@link authenticate} has found in the store before, in
   * this process, with no key revoked or rotated here since (either clears that memory).
   * Decided in memory, without the store; {@link authenticate} still runs every check.
   */
  isRemembered(presented: string | undefined): boolean {
    const parsed = presented === undefined ? undefined : parseApiKey(presented);
    return parsed !== undefined && this.authCache.has(parsed.hash);
  }

  /**
   * Authenticate a presented key. The store holds only SHA-256 digests; the looked-up digest is
   * compared with the presented one in constant time.
   */
  async authenticate(presented: string | undefined): Promise<AuthenticatedApiKey> {
    if (!presented) throw new PerchError('api_key_missing');
    const parsed = parseApiKey(presented);
    if (!parsed) throw new PerchError('api_key_invalid');
    const now = this.clock.now();
    let record: ApiKeyRecord | undefined;
    const cached = this.authCache.get(parsed.hash);
    if (cached && now - cached.checkedAt < AUTH_CACHE_MS) {
      record = cached.record;
    } else {
      record = await findApiKeyByHash(this.db, parsed.hash);
      if (record) this.authCache.set(parsed.hash, { record, checkedAt: now });
    }
    if (!record || !digestsEqual(record.key_hash, parsed.hash)) throw new PerchError('api_key_invalid');
    if (record.revoked_at) throw new PerchError('api_key_revoked');
    if (record.expires_at && record.expires_at.getTime() <= now) throw new PerchError('api_key_expired');
    this.touch(record.id, now);
    return { id: record.id, workspaceId: record.workspace_id, env: record.env, scopes: record.scopes };
  }

  private touch(id: string, now: number): void {
    const last = this.lastTouched.get(id) ?? 0;
    if (now - last < TOUCH_INTERVAL_MS) return;
    this.lastTouched.set(id, now);
    // Best effort: losing a last-used timestamp must never fail the request.
    touchApiKey(this.db, id, new Date(now)).catch(() => this.lastTouched.delete(id));
  }
}
