import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/audit/index.js';
import { openStoreDatabase, type StoreDatabase, type StoreKind } from '../../src/store/database.js';
import { dropSchema, STORE_KINDS, TEST_DATABASE_URL } from '../helpers/stores.js';
import { freshWorkspace } from './fixtures.js';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/**
 * Run the writer until it has confirmed `enough` events (or, on a slow machine, for a few
 * seconds after its first confirmation), then SIGKILL it mid-stream; return what it confirmed.
 */
function runAndKill(args: string[], enough: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let buffer = '';
    let stderr = '';
    let killTimer: ReturnType<typeof setTimeout> | undefined;
    const kill = () => child.kill('SIGKILL');
    const timeout = setTimeout(() => {
      kill();
      reject(new Error(`crash writer confirmed nothing in time; stderr: ${stderr}`));
    }, 60_000);
    child.stdout.setEncoding('utf8').on('data', (data: string) => {
      buffer += data;
      const confirmed = buffer.split('\n').length - 2; // minus "ready" and the unterminated tail
      if (confirmed >= enough) kill();
      else if (confirmed > 0 && killTimer === undefined) killTimer = setTimeout(kill, 4_000);
    });
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    child.on('exit', (_code, signal) => {
      clearTimeout(timeout);
      clearTimeout(killTimer);
      if (signal !== 'SIGKILL') return reject(new Error(`crash writer exited on its own; stderr: ${stderr}`));
      // Only complete lines were confirmed; a torn last line was not yet fully printed.
      resolve(buffer.split('\n').slice(0, -1).filter((l) => l !== 'ready'));
    });
  });
}

describe.each(STORE_KINDS)('audit durability across SIGKILL on the %s store', (kind: StoreKind) => {
  it('keeps every event whose record() resolved, and the chain verifies', async () => {
    const workspace = freshWorkspace('crash');
    let reopen: () => Promise<StoreDatabase>;
    let args: string[];
    if (kind === 'embedded') {
      const dir = mkdtempSync(join(tmpdir(), 'perch-audit-crash-'));
      cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
      args = [workspace, dir];
      reopen = () => openStoreDatabase({ dataDir: dir });
      // Create the store (initdb and migrations) up front, so the writer's start is a plain open.
      await (await reopen()).close();
    } else {
      const schema = `audit_crash_${Math.random().toString(36).slice(2, 10)}`;
      cleanups.push(() => dropSchema(schema));
      args = [workspace, TEST_DATABASE_URL, schema];
      reopen = () => openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
    }
    const confirmed = await runAndKill(args, 200);
    expect(confirmed.length).toBeGreaterThan(0);

    const store = await reopen();
    try {
      const trail = await createAuditTrail({ store });
      const stored = new Set<string>();
      for await (const chunk of trail.export({ workspace }, 'ndjson')) {
        for (const line of chunk.trimEnd().split('\n')) stored.add((JSON.parse(line) as { requestId: string }).requestId);
      }
      const lost = confirmed.filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
      expect(await trail.verify(workspace)).toMatchObject({ ok: true });
      // The trail keeps appending after the crash.
      await trail.record({ workspace, action: 'audit.verify', outcome: 'success', requestId: 'after-crash' });
      expect((await trail.verify(workspace)).checked).toBe(stored.size + 1);
      await trail.close();
    } finally {
      await store.close();
    }
    // Two cold starts of the store (writer and reader) dominate; generous for a loaded machine.
  }, 150_000);
});
