import { describe, expect, it } from 'vitest';
import { ResourcePool } from './resource-pool.js';

describe('ResourcePool', () => {
  it('hands each resource to one holder at a time and serves waiters in order', async () => {
    const pool = new ResourcePool(['a']);
    const held = await pool.acquire();
    const order: string[] = [];
    const first = pool.acquire().then((r) => order.push(`first:${r}`));
    const second = pool.acquire().then((r) => order.push(`second:${r}`));
    pool.release(held);
    await first;
    expect(order).toEqual(['first:a']);
    pool.release('a');
    await second;
    expect(order).toEqual(['first:a', 'second:a']);
  });

  it('drops a waiter whose signal aborts, so the resource goes to the next one', async () => {
    const pool = new ResourcePool([1]);
    await pool.acquire();
    const controller = new AbortController();
    const abandoned = pool.acquire(controller.signal);
    const next = pool.acquire();
    controller.abort(new Error('gone'));
    await expect(abandoned).rejects.toThrow('gone');
    pool.release(1);
    await expect(next).resolves.toBe(1);
  });

  it('fails waiters and new acquisitions after close', async () => {
    const pool = new ResourcePool([1]);
    await pool.acquire();
    const waiting = pool.acquire();
    expect(pool.close()).toEqual([]);
    await expect(waiting).rejects.toThrow('pool closed');
    await expect(pool.acquire()).rejects.toThrow('pool closed');
  });
});
