import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import type { Clock } from '../../src/store/clock.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, lit, queryEvent, tamper } from './fixtures.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00.000Z');

describe.each(STORE_KINDS)('audit retention on the %s store', (kind) => {
  let ts: TestStore;
  let trail: AuditTrail;
  let now = T0;
  const clock: Clock = { now: () => now };

  beforeAll(async () => {
    ts = await openTestStore(kind);
    trail = await createAuditTrail({ store: ts.store, clock, batchMs: 1, segmentSize: 5, retentionDays: 5 });
  });
  afterAll(async () => {
    await trail?.close();
    await ts?.dispose();
  });

  it('drops only whole old segments, records it, and the rest verifies from the checkpoint', async () => {
    now = T0;
    const workspace = freshWorkspace('retain');
    const untouched = freshWorkspace('young');
    for (let i = 0; i < 12; i += 1) await trail.record(queryEvent(workspace)); // segments 0, 1 full; 2 partial
    now = T0 + 10 * DAY;
    for (let i = 0; i < 3; i += 1) await trail.record(queryEvent(workspace)); // completes segment 2 today
    for (let i = 0; i < 7; i += 1) await trail.record(queryEvent(untouched));

    const result = await trail.applyRetention(new Date(now));
    expect(result.droppedSegments).toBe(2);

    const remaining = (await trail.query({ workspace, limit: 100 })).events;
    // Segment 2 holds old events 11–12 but also today's 13–15, so it stays whole.
    expect(remaining.map((e) => e.seq)).toEqual([16, 15, 14, 13, 12, 11]);
    const retentionEvent = remaining[0];
    expect(retentionEvent).toMatchObject({ action: 'audit.retention', outcome: 'success' });
    expect(retentionEvent?.details).toMatchObject({ droppedSegments: 2, throughSegment: 1, throughSeq: 10 });

    expect(await trail.verify(workspace)).toMatchObject({ ok: true, checked: 6, lastSeq: 16 });
    expect(await trail.verify(workspace, { fromCheckpoint: 1 })).toMatchObject({ ok: true, checked: 6 });
    expect((await trail.verify(untouched)).checked).toBe(7);

    // Nothing more is old enough: no drop, no event.
    expect(await trail.applyRetention(new Date(now))).toEqual({ droppedSegments: 0 });
    expect((await trail.query({ workspace })).events).toHaveLength(6);

    // Deleting what retention kept is still caught.
    await tamper(ts.store, `delete from audit_events where workspace_id = ${lit(workspace)} and seq = 11`);
    expect(await trail.verify(workspace)).toMatchObject({ ok: false, firstBroken: { seq: 11, reason: 'gap' } });
  });

  it('an unknown checkpoint is a 404, not a crash', async () => {
    await expect(trail.verify(freshWorkspace('nocp'), { fromCheckpoint: 99 })).rejects.toMatchObject({ code: 'not_found', path: 'fromCheckpoint' });
  });
});
