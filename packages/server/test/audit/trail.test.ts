import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { PerchError } from '@perch/protocol';
import { createAuditTrail, DIGEST_PREFIX, type AuditTrail } from '../../src/audit/index.js';
import { ensureWorkspace } from '../../src/store/workspaces.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, lit, queryEvent, tamper } from './fixtures.js';

describe.each(STORE_KINDS)('audit trail on the %s store', (kind) => {
  let ts: TestStore;
  let trail: AuditTrail;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    trail = await createAuditTrail({ store: ts.store, batchMs: 5, batchSize: 100, segmentSize: 10 });
  });
  afterAll(async () => {
    await trail?.close();
    await ts?.dispose();
  });

  it('group-commits concurrent records in few transactions and the chain verifies', async () => {
    const workspace = freshWorkspace('group');
    const before = trail.transactions;
    const events = Array.from({ length: 250 }, () => queryEvent(workspace));
    await Promise.all(events.map((e) => trail.record(e)));
    const used = trail.transactions - before;
    expect(used).toBeGreaterThanOrEqual(3); // batchSize 100
    expect(used).toBeLessThanOrEqual(6);
    // Every resolved record is already committed: visible without draining.
    const page = await trail.query({ workspace, limit: 1000 });
    expect(page.events).toHaveLength(250);
    expect(new Set(page.events.map((e) => e.requestId))).toEqual(new Set(events.map((e) => e.requestId)));
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
    const verification = await trail.verify(workspace);
    expect(verification).toMatchObject({ ok: true, checked: 250, lastSeq: 250 });
    expect(verification.firstBroken).toBeUndefined();
  });

  it('stores every event field and the details it was given', async () => {
    const workspace = freshWorkspace('fields');
    const input = queryEvent(workspace, { code: 'member_forbidden', outcome: 'refused', details: { dataset: 'orders', note: 'nul\u0000byte', big: 10n } });
    await trail.record(input);
    const [event] = (await trail.query({ workspace })).events;
    expect(event).toMatchObject({ seq: 1, segment: 0, workspace, action: 'query.run', outcome: 'refused', code: 'member_forbidden', resource: 'orders', distinctId: 'user-1', role: 'viewer', env: 'live', apiKeyId: 'key_1', origin: 'https://app.example.com', ip: '10.0.0.1', userAgent: 'test-agent', requestId: input.requestId });
    expect(event?.details).toEqual({ dataset: 'orders', note: 'nul\uFFFDbyte', big: '10' });
    expect((await trail.verify(workspace)).ok).toBe(true);
  });

  it('hashes in the store exactly as verification does, for text that JSON escapes and for any script', async () => {
    const workspace = freshWorkspace('escapes');
    const odd = 'quote " backslash \\ tab \t newline \n é 日本 😀 \u2028 \u001f';
    await trail.record(queryEvent(workspace, { userAgent: odd, distinctId: odd, details: { [odd]: odd, list: [odd, 1.5, -0, 1e21, true, null] }, attributes: { region: odd } }));
    const [event] = (await trail.query({ workspace })).events;
    expect(event?.userAgent).toBe(odd);
    expect(event?.details[odd]).toBe(odd);
    expect(await trail.verify(workspace)).toMatchObject({ ok: true, checked: 1 });
  });

  it('verifies details with decimal-integer keys, hashed in JCS order', async () => {
    const workspace = freshWorkspace('indexkeys');
    await trail.record(queryEvent(workspace, { details: { 10: 'ten', 9: 'nine', dataset: 'orders' } }));
    expect((await trail.verify(workspace)).ok).toBe(true);
    await tamper(ts.store, `update audit_events set details = '{"9": "NINE", "10": "ten", "dataset": "orders"}' where workspace_id = ${lit(workspace)} and seq = 1`);
    expect(await trail.verify(workspace)).toMatchObject({ ok: false, firstBroken: { seq: 1, reason: 'hash_mismatch' } });
  });

  it('stores attributes as salted digests: equal within a workspace, raw value nowhere', async () => {
    const a = freshWorkspace('digest_a');
    const b = freshWorkspace('digest_b');
    await trail.record(queryEvent(a, { attributes: { tenant: 'CANARY-T1' } }));
    await trail.record(queryEvent(a, { attributes: { tenant: 'CANARY-T1' } }));
    await trail.record(queryEvent(a, { attributes: { tenant: 'CANARY-T2' } }));
    await trail.record(queryEvent(b, { attributes: { tenant: 'CANARY-T1' } }));
    const eventsA = (await trail.query({ workspace: a })).events;
    const [t2, t1b, t1a] = eventsA.map((e) => e.attributes?.tenant);
    expect(t1a).toBe(t1b);
    expect(t2).not.toBe(t1a);
    expect(String(t1a).startsWith(DIGEST_PREFIX)).toBe(true);
    const [fromB] = (await trail.query({ workspace: b })).events;
    expect(fromB?.attributes?.tenant).not.toBe(t1a); // per-workspace salt
    const dump = await sql<{ t: string }>`select string_agg(attributes::text || details::text, ' ') as t from audit_events`.execute(ts.store.db);
    expect(dump.rows[0]?.t ?? '').not.toContain('CANARY');
    let ndjson = '';
    for await (const chunk of trail.export({ workspace: a }, 'ndjson')) ndjson += chunk;
    expect(ndjson).not.toContain('CANARY');
  });

  it('stores raw attribute values only when the workspace turns them on', async () => {
    const workspace = freshWorkspace('raw');
    await ensureWorkspace(ts.store.db, workspace, workspace, { auditRawAttributes: true });
    await trail.record(queryEvent(workspace, { attributes: { tenant: 'T-raw' } }));
    const [event] = (await trail.query({ workspace })).events;
    expect(event?.attributes).toEqual({ tenant: 'T-raw' });
    expect((await trail.verify(workspace)).ok).toBe(true);
  });

  it('switches to raw attribute values within seconds when a workspace turns them on later', async () => {
    const workspace = freshWorkspace('raw-later');
    await ensureWorkspace(ts.store.db, workspace, workspace, {});
    await trail.record(queryEvent(workspace, { attributes: { tenant: 'T-before' } }));
    await sql`update workspaces set settings = ${JSON.stringify({ auditRawAttributes: true })} where id = ${workspace}`.execute(ts.store.db);
    // The switch is re-read at most every second, without holding up commits meanwhile.
    await expect
      .poll(
        async () => {
          await trail.record(queryEvent(workspace, { attributes: { tenant: 'T-after' } }));
          const [newest] = (await trail.query({ workspace, limit: 1 })).events;
          return newest?.attributes?.tenant;
        },
        { timeout: 10_000, interval: 250 },
      )
      .toBe('T-after');
    const events = (await trail.query({ workspace })).events;
    expect(String(events.at(-1)?.attributes?.tenant).startsWith(DIGEST_PREFIX)).toBe(true);
    expect((await trail.verify(workspace)).ok).toBe(true);
  });

  it('pages newest first with an opaque cursor bound to the workspace, and filters', async () => {
    const workspace = freshWorkspace('page');
    for (let i = 0; i < 7; i += 1) await trail.record(queryEvent(workspace, { distinctId: i % 2 === 0 ? 'even' : 'odd', action: i === 3 ? 'export.run' : 'query.run' }));
    const first = await trail.query({ workspace, limit: 3 });
    expect(first.events.map((e) => e.seq)).toEqual([7, 6, 5]);
    const second = await trail.query({ workspace, limit: 3, cursor: first.nextCursor! });
    expect(second.events.map((e) => e.seq)).toEqual([4, 3, 2]);
    const third = await trail.query({ workspace, limit: 3, cursor: second.nextCursor! });
    expect(third.events.map((e) => e.seq)).toEqual([1]);
    expect(third.nextCursor).toBeUndefined();
    expect((await trail.query({ workspace, distinctId: 'even' })).events.map((e) => e.seq)).toEqual([7, 5, 3, 1]);
    expect((await trail.query({ workspace, action: 'export.run' })).events.map((e) => e.seq)).toEqual([4]);
    expect((await trail.query({ workspace, from: new Date(Date.now() + 60_000) })).events).toEqual([]);
    await expect(trail.query({ workspace: freshWorkspace('other'), cursor: first.nextCursor! })).rejects.toMatchObject({ code: 'invalid_request', path: 'cursor' });
  });

  it('rejects bad filters with a PerchError and a field path', async () => {
    const workspace = freshWorkspace('bad');
    await expect(trail.query({ workspace, limit: 0 })).rejects.toMatchObject({ code: 'invalid_limit', path: 'limit' });
    await expect(trail.query({ workspace, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_request', path: 'cursor' });
    await expect(trail.query({ workspace, from: 'yesterday' })).rejects.toMatchObject({ code: 'invalid_date_range', path: 'from' });
    await expect(trail.query({ workspace, action: 'drop.table' as never })).rejects.toBeInstanceOf(PerchError);
  });

  it('the store itself refuses to update or delete audit rows', async () => {
    const workspace = freshWorkspace('append_only');
    await trail.record(queryEvent(workspace));
    await trail.drain();
    await expect(sql.raw(`update audit_events set resource = 'x' where workspace_id = ${lit(workspace)}`).execute(ts.store.db)).rejects.toThrow(/append-only/);
    await expect(sql.raw(`delete from audit_events where workspace_id = ${lit(workspace)}`).execute(ts.store.db)).rejects.toThrow(/append-only/);
    expect((await trail.verify(workspace)).ok).toBe(true);
  });

  describe('tamper detection', () => {
    async function chainOf(length: number): Promise<string> {
      const workspace = freshWorkspace('tamper');
      await Promise.all(Array.from({ length }, () => trail.record(queryEvent(workspace))));
      expect((await trail.verify(workspace)).ok).toBe(true);
      return workspace;
    }

    it('names a changed event', async () => {
      const w = await chainOf(30);
      await tamper(ts.store, `update audit_events set resource = 'payroll' where workspace_id = ${lit(w)} and seq = 17`);
      expect(await trail.verify(w)).toMatchObject({ ok: false, firstBroken: { seq: 17, reason: 'hash_mismatch' }, lastSeq: 16 });
    });

    it('names a changed event whose hash was recomputed by the next link', async () => {
      const w = await chainOf(12);
      await tamper(ts.store, `update audit_events set hash = repeat('a', 64) where workspace_id = ${lit(w)} and seq = 5`);
      expect(await trail.verify(w)).toMatchObject({ ok: false, firstBroken: { seq: 5, reason: 'hash_mismatch' } });
      await tamper(ts.store, `update audit_events set prev_hash = repeat('b', 64) where workspace_id = ${lit(w)} and seq = 3`);
      expect(await trail.verify(w)).toMatchObject({ ok: false, firstBroken: { seq: 3, reason: 'prev_hash_mismatch' } });
    });

    it('names a deleted event, at the start, middle or end', async () => {
      const mid = await chainOf(25);
      await tamper(ts.store, `delete from audit_events where workspace_id = ${lit(mid)} and seq = 9`);
      expect(await trail.verify(mid)).toMatchObject({ ok: false, firstBroken: { seq: 9, reason: 'gap' } });
      const start = await chainOf(5);
      await tamper(ts.store, `delete from audit_events where workspace_id = ${lit(start)} and seq = 1`);
      expect(await trail.verify(start)).toMatchObject({ ok: false, firstBroken: { seq: 1, reason: 'gap' } });
      const end = await chainOf(5);
      await tamper(ts.store, `delete from audit_events where workspace_id = ${lit(end)} and seq = 5`);
      expect(await trail.verify(end)).toMatchObject({ ok: false, firstBroken: { seq: 5, reason: 'gap' } });
    });

    it('names reordered events', async () => {
      const w = await chainOf(20);
      // Swap events 6 and 7 (through a spare seq, since the primary key is checked per row).
      const at = (from: number, to: number) => `update audit_events set seq = ${to} where workspace_id = ${lit(w)} and seq = ${from}`;
      await tamper(ts.store, at(6, -1), at(7, 6), at(-1, 7));
      expect(await trail.verify(w)).toMatchObject({ ok: false, firstBroken: { seq: 6, reason: 'reorder' } });
    });
  });
});
