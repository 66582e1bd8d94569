import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/audit/index.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { Keyring } from '../../src/auth/keyring.js';
import { MasterKey } from '../../src/auth/master-key.js';
import { RevocationList } from '../../src/auth/revocation-list.js';
import { systemClock } from '../../src/store/clock.js';
import { openStoreDatabase, type StoreDatabase } from '../../src/store/database.js';
import { DEFAULT_WORKSPACE_ID, ensureWorkspace } from '../../src/store/workspaces.js';
import { replaceOrigins } from '../../src/store/origins.js';
import { exportStore, importStore, StoreImportError } from '../../src/cli/migrate-command.js';
import { openTestStore, type TestStore } from '../helpers/stores.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

async function* linesOf(lines: string[]): AsyncIterable<string> {
  yield* lines;
}

async function dump(store: StoreDatabase): Promise<string[]> {
  const lines: string[] = [];
  await exportStore(store, async (line) => void lines.push(line));
  return lines;
}

async function freshPostgres(): Promise<StoreDatabase> {
  const test: TestStore = await openTestStore('postgres');
  cleanups.push(() => test.dispose());
  await ensureWorkspace(test.store.db, DEFAULT_WORKSPACE_ID, 'Default workspace');
  return test.store;
}

/** An embedded store with keys, origins, a revocation and 2,500 audit events in two workspaces. */
async function populatedEmbeddedStore(): Promise<StoreDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-migrate-'));
  const store = await openStoreDatabase({ dataDir: dir });
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { db } = store;
  await ensureWorkspace(db, DEFAULT_WORKSPACE_ID, 'Default workspace', { tenantAttribute: 'customerId' });
  await ensureWorkspace(db, 'second', 'Second');
  const masterKey = MasterKey.fromEnvironment('a'.repeat(64));
  await new Keyring(db, masterKey, systemClock).load(DEFAULT_WORKSPACE_ID);
  await new ApiKeyService(db, systemClock).create({ workspaceId: DEFAULT_WORKSPACE_ID, name: 'backend', env: 'live', scopes: ['tokens:create', 'admin'] });
  await replaceOrigins(db, DEFAULT_WORKSPACE_ID, ['https://app.example.com']);
  await new RevocationList(db, systemClock).add({ id: 'rev_1', workspaceId: DEFAULT_WORKSPACE_ID, distinctId: 'alice', issuedBefore: new Date(), expiresAt: new Date(Date.now() + 86_400_000) });
  const trail = await createAuditTrail({ store, batchSize: 500, segmentSize: 1_000 });
  await Promise.all(
    Array.from({ length: 2_500 }, (_, i) =>
      trail.record({ workspace: i % 5 ? DEFAULT_WORKSPACE_ID : 'second', action: 'query.run', outcome: 'success', requestId: `req-${i}`, distinctId: `user-${i % 7}`, attributes: { customerId: `c${i % 3}` }, details: { rowCount: i } }),
    ),
  );
  await trail.close();
  return store;
}

describe('perch store export | perch store import', () => {
  // One embedded source for every case: opening PGlite is the slow part.
  let source: StoreDatabase;
  let pristine: string[];
  beforeAll(async () => {
    source = await populatedEmbeddedStore();
    pristine = await dump(source);
  });

  it('moves the embedded store to PostgreSQL with the audit chain intact', async () => {
    const lines = [...pristine];
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'perch-store-dump', version: 1 });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: 'end', rows: { audit_events: 2_500 } });

    const target = await freshPostgres();
    const summary = await importStore(target, linesOf(lines));
    expect(summary.rows.audit_events).toBe(2_500);
    expect(summary.verified).toEqual({ default: 2_000, second: 500 });

    // Same rows, same hashes, and the trail keeps appending to the imported chain.
    const trail = await createAuditTrail({ store: target, segmentSize: 1_000 });
    await trail.record({ workspace: DEFAULT_WORKSPACE_ID, action: 'audit.verify', outcome: 'success', requestId: 'after-import' });
    const verification = await trail.verify(DEFAULT_WORKSPACE_ID);
    expect(verification).toMatchObject({ ok: true, checked: 2_001 });
    await trail.close();
    const sourceHead = await source.db.selectFrom('api_keys').select(['key_hash', 'created_at']).executeTakeFirstOrThrow();
    const targetHead = await target.db.selectFrom('api_keys').select(['key_hash', 'created_at']).executeTakeFirstOrThrow();
    expect(targetHead).toEqual(sourceHead);
    expect((await target.db.selectFrom('workspaces').select('settings').where('id', '=', DEFAULT_WORKSPACE_ID).executeTakeFirstOrThrow()).settings).toEqual({ tenantAttribute: 'customerId' });
    expect(await dump(target).then((l) => l.length)).toBe(lines.length + 1);
  });

  it('moves an embedded store into a new embedded store (the engine-upgrade path), chain verified', async () => {
    const test: TestStore = await openTestStore('embedded');
    cleanups.push(() => test.dispose());
    await ensureWorkspace(test.store.db, DEFAULT_WORKSPACE_ID, 'Default workspace');
    const summary = await importStore(test.store, linesOf([...pristine]));
    expect(summary.verified).toEqual({ default: 2_000, second: 500 });
    const trail = await createAuditTrail({ store: test.store, segmentSize: 1_000 });
    expect(await trail.verify('second')).toMatchObject({ ok: true, checked: 500 });
    await trail.close();
  });

  it('refuses a tampered dump and imports nothing', async () => {
    const lines = [...pristine];
    const index = lines.findIndex((l) => l.includes('"request_id":"req-42"'));
    const tampered = lines[index]!.replace(/"rowCount": ?42\b/, '"rowCount": 0');
    expect(tampered).not.toBe(lines[index]);
    lines[index] = tampered;
    const target = await freshPostgres();
    await expect(importStore(target, linesOf(lines))).rejects.toThrow(/does not verify at seq/);
    expect(await target.db.selectFrom('api_keys').select('id').execute()).toEqual([]);
  });

  it('refuses a truncated dump, and a target that already holds data', async () => {
    const lines = [...pristine];
    const target = await freshPostgres();
    await expect(importStore(target, linesOf(lines.slice(0, -1)))).rejects.toThrow(StoreImportError);
    await importStore(target, linesOf(lines));
    await expect(importStore(target, linesOf(lines))).rejects.toThrow(/fresh store/);
  });
});
