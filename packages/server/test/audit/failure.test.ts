import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { PerchError } from '@perch/protocol';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, queryEvent } from './fixtures.js';

describe.each(STORE_KINDS)('audit trail failures on the %s store', (kind) => {
  let ts: TestStore;
  let trail: AuditTrail;
  const failures: unknown[] = [];

  beforeAll(async () => {
    ts = await openTestStore(kind);
    // Direct commits on the embedded store too: these tests are about a failed transaction.
    trail = await createAuditTrail({ store: ts.store, batchMs: 2, batchSize: 50, onError: (e) => failures.push(e) });
  });
  afterAll(async () => {
    await trail?.close();
    await ts?.dispose();
  });

  it('rejects every waiter of a failed commit with audit_unavailable, then recovers', async () => {
    const workspace = freshWorkspace('fail');
    await trail.record(queryEvent(workspace));
    await sql`alter table audit_events rename to audit_events_offline`.execute(ts.store.db);
    try {
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => trail.record(queryEvent(workspace))));
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      for (const r of results) {
        const reason = (r as PromiseRejectedResult).reason as PerchError;
        expect(reason).toBeInstanceOf(PerchError);
        expect(reason.code).toBe('audit_unavailable');
        expect(reason.status).toBe(503);
        // The client-facing message never carries SQL or store internals.
        expect(reason.message).not.toMatch(/audit_events|relation|select|insert/i);
      }
      expect(failures.length).toBeGreaterThan(0);
    } finally {
      await sql`alter table audit_events_offline rename to audit_events`.execute(ts.store.db);
    }
    await Promise.all(Array.from({ length: 5 }, () => trail.record(queryEvent(workspace))));
    // The failed batch left nothing behind: the chain continues gapless from the last commit.
    const verification = await trail.verify(workspace);
    expect(verification).toMatchObject({ ok: true, checked: 6, lastSeq: 6 });
  });

  it('refuses events after close, with audit_unavailable', async () => {
    const other = await createAuditTrail({ store: ts.store, batchMs: 50 });
    const workspace = freshWorkspace('closed');
    const pending = other.record(queryEvent(workspace));
    await other.close(); // drains the waiting event first
    await expect(pending).resolves.toBeUndefined();
    await expect(other.record(queryEvent(workspace))).rejects.toMatchObject({ code: 'audit_unavailable' });
    expect((await trail.verify(workspace)).checked).toBe(1);
  });
});
