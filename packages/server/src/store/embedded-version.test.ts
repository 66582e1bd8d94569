import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStoreDatabase } from './database.js';
import { EMBEDDED_POSTGRES_MAJOR, EmbeddedStoreVersionError } from './embedded-version.js';
import { PerchError } from '@perch/protocol';

const directories: string[] = [];
afterEach(() => {
  for (const dir of directories.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded store engine version', () => {
  it('is the PostgreSQL major the engine actually runs (a PGlite upgrade that changes it fails here)', async () => {
    const store = await openStoreDatabase({ dataDir: 'memory://' });
    try {
      const { rows } = await sql<{ server_version: string }>`show server_version`.execute(store.db);
      expect(rows[0]!.server_version.split('.')[0]).toBe(EMBEDDED_POSTGRES_MAJOR);
    } finally {
      await store.close();
    }
  });

  it('refuses a directory made by another major, naming both versions, and leaves it untouched', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'perch-old-store-'));
    directories.push(dataDir);
    const metadata = join(dataDir, 'metadata');
    mkdirSync(metadata);
    writeFileSync(join(metadata, 'PG_VERSION'), '17\n');
    writeFileSync(join(metadata, 'postgresql.conf'), '# kept\n');
    const error = await openStoreDatabase({ dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddedStoreVersionError);
    expect((error as Error).message).toContain('PostgreSQL 17');
    expect((error as Error).message).toContain(`PostgreSQL ${EMBEDDED_POSTGRES_MAJOR}`);
    expect((error as Error).message).toContain('perch store export');
    expect(readdirSync(metadata).sort()).toEqual(['PG_VERSION', 'postgresql.conf']);
    expect(readFileSync(join(metadata, 'PG_VERSION'), 'utf8')).toBe('17\n');
  });

  it('refuses a directory whose audit journal still holds events, and leaves the journal untouched', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'perch-journal-store-'));
    directories.push(dataDir);
    mkdirSync(join(dataDir, 'audit-journal'));
    writeFileSync(join(dataDir, 'audit-journal', 'journal-1.ndjson'), '{"seq":1}\n');
    const error = await openStoreDatabase({ dataDir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PerchError);
    expect(error).toMatchObject({ code: 'store_version_unsupported' });
    expect((error as Error).message).toContain('audit-journal');
    expect(readFileSync(join(dataDir, 'audit-journal', 'journal-1.ndjson'), 'utf8')).toBe('{"seq":1}\n');
    // An empty journal directory is nothing to move: the store opens.
    rmSync(join(dataDir, 'audit-journal', 'journal-1.ndjson'));
    const store = await openStoreDatabase({ dataDir });
    await store.close();
  });
});
