import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import { openStoreDatabase, type StoreDatabase } from '../../src/store/database.js';
import { embeddedTemplate } from '../helpers/stores.js';
import { metricsRegistry } from '../../src/metrics.js';
import { freshWorkspace, queryEvent } from './fixtures.js';

/**
 * The embedded store's audit journal: under load, commits go to a journal file and move into
 * the tables in bulk. Nothing a request was answered for may be lost or reordered on the way,
 * whether the process keeps running, is killed, or the tables refuse the rows for a while.
 */
const directories: string[] = [];
afterAll(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

async function diskStore(): Promise<{ dir: string; store: StoreDatabase }> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-journal-'));
  directories.push(dir);
  cpSync(await embeddedTemplate(), dir, { recursive: true });
  return { dir, store: await openStoreDatabase({ dataDir: dir }) };
}

const journalFiles = (dir: string) => {
  try {
    return readdirSync(join(dir, 'audit-journal')).sort();
  } catch {
    return [];
  }
};

/**
 * Record events on a fresh store with every commit journaled and moves a minute away, then close
 * the store without closing the trail: the events are answered but only in the journal, as when
 * a process dies. `inspect` sees the journal directory before the store closes.
 */
async function stopWithJournal(workspace: string, requestIds: string[], inspect?: (journalDir: string) => Promise<void>): Promise<string> {
  const { dir, store } = await diskStore();
  const trail = await createAuditTrail({ store, embeddedJournal: 'always', journalIngestDelayMs: 60_000 });
  await trail.record(queryEvent(workspace, { requestId: requestIds[0]! }));
  await Promise.all(requestIds.slice(1).map((requestId) => trail.record(queryEvent(workspace, { requestId }))));
  await inspect?.(join(dir, 'audit-journal'));
  await store.close(); // no trail.close(): nothing moves the journal into the tables
  return dir;
}

async function storedRequestIds(trail: AuditTrail, workspace: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const chunk of trail.export({ workspace }, 'ndjson')) {
    for (const line of chunk.trimEnd().split('\n')) ids.push((JSON.parse(line) as { requestId: string }).requestId);
  }
  return ids;
}

describe('the embedded store audit journal', () => {
  it('journals under load, stores every event in order, verifies, and leaves no file behind', async () => {
    const { dir, store } = await diskStore();
    const trail = await createAuditTrail({ store, batchSize: 5 });
    try {
      const [a, b] = [freshWorkspace('journal-a'), freshWorkspace('journal-b')];
      await trail.record(queryEvent(a));
      expect(journalFiles(dir)).toEqual([]); // one quiet commit goes straight into the tables
      const events = Array.from({ length: 400 }, (_, i) => queryEvent(i % 3 === 0 ? b : a, { requestId: `load-${i}` }));
      await Promise.all(events.map((e) => trail.record(e)));
      expect(journalFiles(dir).length).toBeGreaterThan(0); // 80+ commits at once: journaled

      for (const workspace of [a, b]) {
        const expected = events.filter((e) => e.workspace === workspace).map((e) => e.requestId);
        const stored = await storedRequestIds(trail, workspace);
        // The tables hold exactly what was answered, in the order the chain gave it.
        expect(stored.filter((id) => id.startsWith('load-'))).toHaveLength(expected.length);
        expect(new Set(stored)).toEqual(new Set([...(workspace === a ? [stored[0]!] : []), ...expected]));
        const verification = await trail.verify(workspace);
        expect(verification).toMatchObject({ ok: true, checked: stored.length, lastSeq: stored.length });
      }
    } finally {
      await trail.close();
      await store.close();
    }
    expect(journalFiles(dir)).toEqual([]);
  });

  it('keeps the backlog bounded, so a read returns while writers keep going', async () => {
    const { store } = await diskStore();
    const trail = await createAuditTrail({ store, embeddedJournal: 'always' });
    const workspace = freshWorkspace('busy-read');
    let stop = false;
    let written = 0;
    const writers = Array.from({ length: 10 }, async () => {
      while (!stop) {
        await trail.record(queryEvent(workspace));
        written += 1;
      }
    });
    try {
      await expect.poll(() => written, { timeout: 5_000 }).toBeGreaterThan(100);
      const before = written;
      // The writers never pause: a read that waited for an empty journal would never return.
      const page = await Promise.race([
        trail.query({ workspace, limit: 1 }),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the read did not return while writers kept writing')), 10_000)),
      ]);
      expect(page.events).toHaveLength(1);
      expect((await trail.verify(workspace)).checked).toBeGreaterThanOrEqual(before);
    } finally {
      stop = true;
      await Promise.all(writers);
      await trail.close();
      await store.close();
    }
  });

  it('a store opened after the process stopped mid-journal replays what was answered, then continues the chain', async () => {
    const workspace = freshWorkspace('replay');
    const requestIds = Array.from({ length: 50 }, (_, i) => `before-crash-${i}`);
    const dir = await stopWithJournal(workspace, requestIds, async (journalDir) => {
      const [file] = readdirSync(journalDir);
      expect(readFileSync(join(journalDir, file!), 'utf8').trimEnd().split('\n')).toHaveLength(50);
      expect((await metricsRegistry.getSingleMetric('perch_audit_journal_rows')!.get()).values[0]!.value).toBe(50);
    });

    const reopened = await openStoreDatabase({ dataDir: dir });
    const after = await createAuditTrail({ store: reopened });
    try {
      expect(journalFiles(dir)).toEqual([]);
      expect(await storedRequestIds(after, workspace)).toEqual(requestIds);
      await after.record(queryEvent(workspace, { requestId: 'after-restart' }));
      expect(await after.verify(workspace)).toMatchObject({ ok: true, checked: 51, lastSeq: 51 });
    } finally {
      await after.close();
      await reopened.close();
    }
  });

  it('drops a torn last line, and refuses to open over a damaged journal without touching it', async () => {
    const workspace = freshWorkspace('damaged');
    const dir = await stopWithJournal(workspace, ['first', ...Array.from({ length: 9 }, (_, i) => `next-${i}`)]);
    const path = join(dir, 'audit-journal', journalFiles(dir)[0]!);
    const intact = readFileSync(path, 'utf8');
    const lines = intact.trimEnd().split('\n');

    // A line in the middle that is not an audit row: the journal was damaged, so no guessing.
    const damaged = [...lines.slice(0, 4), '{"not":"a row"}', ...lines.slice(4)].join('\n') + '\n';
    writeFileSync(path, damaged);
    await expect(openStoreDatabase({ dataDir: dir })).rejects.toThrow(/audit journal is damaged at .*journal-\d+\.ndjson:5/);
    expect(readFileSync(path, 'utf8')).toBe(damaged);

    // A torn tail is a write the process died in; its request was never answered.
    writeFileSync(path, intact);
    appendFileSync(path, lines[0]!.slice(0, 40));
    const reopened = await openStoreDatabase({ dataDir: dir });
    const after = await createAuditTrail({ store: reopened });
    try {
      expect(await storedRequestIds(after, workspace)).toEqual(['first', ...Array.from({ length: 9 }, (_, i) => `next-${i}`)].filter((id) => lines.some((l) => l.includes(`"${id}"`))));
      expect((await storedRequestIds(after, workspace)).length).toBe(10);
      expect(await after.verify(workspace)).toMatchObject({ ok: true, checked: 10 });
    } finally {
      await after.close();
      await reopened.close();
    }
  });

  it('fails closed while the tables refuse journaled rows, keeps every answered event, and recovers', async () => {
    const { store } = await diskStore();
    const failures: unknown[] = [];
    const trail = await createAuditTrail({ store, embeddedJournal: 'always', journalIngestDelayMs: 5, onError: (e) => failures.push(e) });
    const workspace = freshWorkspace('refused');
    const answered: string[] = [];
    const record = async (requestId: string) => {
      await trail.record(queryEvent(workspace, { requestId }));
      answered.push(requestId);
    };
    try {
      await record('before');
      await trail.drain();
      await sql`alter table audit_events rename to audit_events_offline`.execute(store.db);
      try {
        // Journaled (and answered) until an ingestion fails…
        for (let i = 0; failures.length === 0 && i < 200; i++) {
          // The failed ingestion may land between this check and the record's commit: that record
          // is then refused (and not answered), which is the behaviour under test, not a flake.
          const refusedEarly = await record(`during-${i}`).then(
            () => false,
            (error: unknown) => {
              if ((error as { code?: unknown }).code !== 'audit_unavailable') throw error;
              return true;
            },
          );
          if (refusedEarly) break;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
        expect(failures.length).toBeGreaterThan(0);
        // …then refused: nothing is answered that the store may not be able to keep.
        const refused = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => record(`refused-${i}`)));
        for (const r of refused) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'audit_unavailable' } });
      } finally {
        await sql`alter table audit_events_offline rename to audit_events`.execute(store.db);
      }
      // The retry moves what was journaled; commits are accepted again.
      await expect.poll(async () => record('after').then(() => true, () => false), { timeout: 5_000, interval: 100 }).toBe(true);
      const stored = await storedRequestIds(trail, workspace);
      expect(stored).toEqual(answered);
      expect(stored.some((id) => id.startsWith('refused-'))).toBe(false);
      expect(await trail.verify(workspace)).toMatchObject({ ok: true, checked: answered.length });
    } finally {
      await trail.close();
      await store.close();
    }
  });
});
