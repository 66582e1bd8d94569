import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { ResultCache } from './result-cache.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ResultCache', () => {
  it('stores a result and serves it as a hit', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cache.get('k', load)).toEqual({ value: { n: 1 }, cacheHit: false });
    expect(await cache.get('k', load)).toEqual({ value: { n: 1 }, cacheHit: true });
    expect(await cache.get('other', load)).toEqual({ value: { n: 2 }, cacheHit: false });
  });

  it('coalesces concurrent misses onto one execution', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    const gate = deferred<{ n: number }>();
    let loads = 0;
    const load = () => {
      loads++;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 20 }, () => cache.get('k', load)));
    gate.resolve({ n: 7 });
    const results = await all;
    expect(loads).toBe(1);
    expect(results.filter((r) => !r.cacheHit)).toHaveLength(1);
    expect(results.every((r) => r.value.n === 7)).toBe(true);
  });

  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new ResultCache<{ key: string }>({ maxEntries: 2, ttlMs: 60_000 });
    const load = (key: string) => async () => ({ key });
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a'));
    await cache.get('c', load('c'));
    expect(cache.size).toBe(2);
    expect((await cache.get('a', load('a'))).cacheHit).toBe(true);
    expect((await cache.get('b', load('b'))).cacheHit).toBe(false);
  });

  it('expires entries after the TTL', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 30 });
    await cache.get('k', async () => ({ n: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await cache.get('k', async () => ({ n: 2 }))).value.n).toBe(2);
  });

  it('stores nothing when disabled, but still coalesces', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 0, ttlMs: 60_000 });
    let loads = 0;
    const load = async () => ({ n: ++loads });
    await cache.get('k', load);
    expect((await cache.get('k', load)).cacheHit).toBe(false);
    expect(loads).toBe(2);
  });

  it('never caches an error', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    await expect(cache.get('k', async () => Promise.reject(new PerchError('query_timeout')))).rejects.toMatchObject({ code: 'query_timeout' });
    expect(await cache.get('k', async () => ({ n: 1 }))).toEqual({ value: { n: 1 }, cacheHit: false });
  });

  it('a waiter that aborts is released, the shared execution keeps running for the others', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    const gate = deferred<{ n: number }>();
    let sharedSignal: AbortSignal | undefined;
    const load = (signal: AbortSignal) => {
      sharedSignal = signal;
      return gate.promise;
    };
    const impatient = new AbortController();
    const first = cache.get('k', load, impatient.signal);
    const second = cache.get('k', load);
    impatient.abort();
    await expect(first).rejects.toMatchObject({ code: 'query_cancelled' });
    expect(sharedSignal?.aborted).toBe(false);
    gate.resolve({ n: 1 });
    expect((await second).value.n).toBe(1);
  });

  it('aborts the shared execution when every waiter has gone', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    let sharedSignal: AbortSignal | undefined;
    const load = (signal: AbortSignal) => {
      sharedSignal = signal;
      return new Promise<{ n: number }>((_resolve, reject) => signal.addEventListener('abort', () => reject(new PerchError('query_cancelled'))));
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = cache.get('k', load, a.signal);
    const second = cache.get('k', load, b.signal);
    a.abort();
    await expect(first).rejects.toMatchObject({ code: 'query_cancelled' });
    expect(sharedSignal?.aborted).toBe(false);
    b.abort();
    await expect(second).rejects.toMatchObject({ code: 'query_cancelled' });
    expect(sharedSignal?.aborted).toBe(true);
  });

  it('makes a deferred signal only when the answer is not stored, and honours it then', async () => {
    const cache = new ResultCache<{ n: number }>({ maxEntries: 10, ttlMs: 60_000 });
    const made: AbortController[] = [];
    const source = () => {
      const controller = new AbortController();
      made.push(controller);
      return controller.signal;
    };
    const gate = deferred<{ n: number }>();
    const miss = cache.get('k', () => gate.promise, source);
    expect(made).toHaveLength(1);
    gate.resolve({ n: 1 });
    expect(await miss).toEqual({ value: { n: 1 }, cacheHit: false });
    expect(await cache.get('k', async () => ({ n: 2 }), source)).toEqual({ value: { n: 1 }, cacheHit: true });
    expect(made).toHaveLength(1);

    const gone = () => AbortSignal.abort();
    let loads = 0;
    await expect(cache.get('other', async () => ({ n: ++loads }), gone)).rejects.toMatchObject({ code: 'query_cancelled' });
    expect(loads).toBe(0);
  });
});
