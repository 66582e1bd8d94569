import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, queryEvent } from './fixtures.js';

/**
 * Pipelined commits: a batch starts while earlier ones are still committing, and the store
 * serializes them on the chain head's lock. These tests make an early batch fail or another
 * writer cut in, and check that the later batches never link to a head that was not stored.
 */
describe.each(STORE_KINDS)('pipelined audit commits on the %s store', (kind) => {
  let ts: TestStore;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    // A poisoned request id makes its whole batch fail inside the store, as a lost connection would.
    await sql`
      create function perch_test_poison() returns trigger language plpgsql as $$
      begin
        if new.request_id like 'poison-%' then raise exception 'poisoned batch'; end if;
        return new;
      end $$`.execute(ts.store.db);
    await sql`create trigger perch_test_poison before insert on audit_events for each row execute function perch_test_poison()`.execute(ts.store.db);
  });
  afterAll(async () => {
    await ts?.dispose();
  });

  it('a failed batch fails only its own waiters; batches chained onto it recover and the chain stays gapless', async () => {
    const trail: AuditTrail = await createAuditTrail({ store: ts.store, batchSize: 5, commitsInFlight: 3 });
    try {
      const workspace = freshWorkspace('pipeline');
      await trail.record(queryEvent(workspace)); // the workspace's head and salt exist before the batches race
      const events = Array.from({ length: 40 }, (_, i) => queryEvent(workspace, { requestId: i === 2 ? `poison-${i}` : `ok-${i}` }));
      const before = trail.transactions;
      const results = await Promise.allSettled(events.map((e) => trail.record(e)));
      expect(trail.transactions - before).toBeGreaterThanOrEqual(8); // 40 events, 5 per batch
      const committed = events.filter((_, i) => results[i]!.status === 'fulfilled').map((e) => e.requestId);
      const refused = events.filter((_, i) => results[i]!.status === 'rejected');
      // Exactly the poisoned batch failed (the first five), with the same 503 for every waiter.
      expect(refused.map((e) => e.requestId)).toEqual(events.slice(0, 5).map((e) => e.requestId));
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'audit_unavailable' });

      const page = await trail.query({ workspace, limit: 1000 });
      const stored = page.events.map((e) => e.requestId);
      expect(new Set(stored)).toEqual(new Set([...committed, page.events.at(-1)!.requestId]));
      for (const e of refused) expect(stored).not.toContain(e.requestId);
      // Gapless: seq 1..n with nothing missing where the failed batch would have been.
      expect(page.events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: committed.length + 1 }, (_, i) => i + 1));
      expect(await trail.verify(workspace)).toMatchObject({ ok: true, checked: committed.length + 1 });
    } finally {
      await trail.close();
    }
  });

  it('two pipelined writers on one workspace interleave without breaking the chain', async () => {
    const first = await createAuditTrail({ store: ts.store, batchSize: 4, commitsInFlight: 3 });
    const second = await createAuditTrail({ store: ts.store, batchSize: 4, commitsInFlight: 3 });
    try {
      const workspace = freshWorkspace('interleave');
      const events = Array.from({ length: 120 }, (_, i) => queryEvent(workspace, { requestId: `w-${i}` }));
      // Waves, so both writers keep appending to a head that the other one keeps moving.
      for (let wave = 0; wave < 6; wave += 1) {
        const slice = events.slice(wave * 20, wave * 20 + 20);
        await Promise.all(slice.map((e, i) => (i % 2 === 0 ? first : second).record(e)));
      }
      const page = await first.query({ workspace, limit: 1000 });
      expect(new Set(page.events.map((e) => e.requestId))).toEqual(new Set(events.map((e) => e.requestId)));
      expect(page.events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
      expect(await first.verify(workspace)).toMatchObject({ ok: true, checked: 120, lastSeq: 120 });
    } finally {
      await first.close();
      await second.close();
    }
  });
});
