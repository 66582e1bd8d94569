import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('commits waiting items together, at most batchSize per commit, one commit at a time', async () => {
    const batches: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const gc = new GroupCommit<number>({
      batchMs: 5,
      batchSize: 4,
      async commit(batch) {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        batches.push(batch);
        inFlight -= 1;
      },
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.enqueue(i)));
    expect(batches.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches.every((b) => b.length <= 4)).toBe(true);
    expect(batches).toHaveLength(3);
    expect(maxInFlight).toBe(1);
    expect(gc.transactions).toBe(3);
  });

  it('with maxInFlight, starts a batch while earlier ones commit, never more than the limit, in call order', async () => {
    const started: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const gc = new GroupCommit<number>({
      batchMs: 0,
      batchSize: 3,
      maxInFlight: 2,
      async commit(batch) {
        started.push(batch);
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight -= 1;
      },
    });
    await Promise.all(Array.from({ length: 12 }, (_, i) => gc.enqueue(i)));
    expect(maxInFlight).toBe(2);
    expect(started.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(started.every((b) => b.length <= 3)).toBe(true);
    expect(() => new GroupCommit<number>({ batchMs: 0, batchSize: 1, maxInFlight: 0, commit: async () => undefined })).toThrow(RangeError);
  });

  it('resolves waiters only after the commit finished', async () => {
    let committed = false;
    const gc = new GroupCommit<string>({ batchMs: 0, batchSize: 10, commit: async () => { await new Promise((r) => setTimeout(r, 5)); committed = true; } });
    await gc.enqueue('a');
    expect(committed).toBe(true);
  });

  it('rejects every waiter of a failed batch with audit_unavailable and keeps going', async () => {
    let fail = true;
    const errors: unknown[] = [];
    const gc = new GroupCommit<number>({ batchMs: 1, batchSize: 100, onError: (e) => errors.push(e), commit: async () => { if (fail) throw new Error('connection reset: select * from secret_table'); } });
    const results = await Promise.allSettled([gc.enqueue(1), gc.enqueue(2), gc.enqueue(3)]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as PerchError;
      expect(reason).toBeInstanceOf(PerchError);
      expect(reason.code).toBe('audit_unavailable');
      expect(reason.message).not.toContain('secret_table');
    }
    expect(errors).toHaveLength(1);
    fail = false;
    await expect(gc.enqueue(4)).resolves.toBeUndefined();
  });

  it('drains on close and refuses later items', async () => {
    const seen: number[] = [];
    const gc = new GroupCommit<number>({ batchMs: 1000, batchSize: 100, commit: async (b) => void seen.push(...b) });
    const pending = gc.enqueue(1);
    await gc.close();
    await expect(pending).resolves.toBeUndefined();
    expect(seen).toEqual([1]);
    await expect(gc.enqueue(2)).rejects.toMatchObject({ code: 'audit_unavailable' });
  });

  it('drain returns under continuous writers, once every item enqueued before it is committed', async () => {
    const committed = new Set<number>();
    const gc = new GroupCommit<number>({
      batchMs: 0,
      batchSize: 3,
      commit: async (batch) => {
        await new Promise((r) => setTimeout(r, 1));
        for (const item of batch) committed.add(item);
      },
    });
    let next = 0;
    let writing = true;
    // Ten writers that never stop until told: the queue is never empty while drain runs.
    const writers = Array.from({ length: 10 }, async () => {
      while (writing) await gc.enqueue(next++);
    });
    await new Promise((r) => setTimeout(r, 20));
    const before = next;
    await gc.drain();
    for (let item = 0; item < before; item += 1) expect(committed.has(item)).toBe(true);
    expect(writing).toBe(true);
    writing = false;
    await Promise.all(writers);
    await gc.close();
  });
});
