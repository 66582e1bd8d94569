import { describe, expect, it } from 'vitest';
import { HeadCache, type CachedHead } from './head-cache.js';

const head = (seq: number, written?: Promise<boolean>): CachedHead => ({ seq, hash: String(seq).padStart(64, '0'), time: 0, salt: 's', raw: false, readAt: 0, ...(written ? { written } : {}) });

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('HeadCache', () => {
  it('forgets a head unless a later prediction replaced it', () => {
    const cache = new HeadCache();
    const first = head(5);
    const later = head(9);
    cache.set('w', later);
    cache.forget('w', first);
    expect(cache.get('w')).toBe(later);
    cache.forget('w', later);
    expect(cache.get('w')).toBeUndefined();
  });

  it('runs a locked append only after the pipelined batch in flight and the previous locked append', async () => {
    const cache = new HeadCache();
    const order: string[] = [];
    const pipelined = deferred<boolean>();
    cache.set('w', head(3, pipelined.promise));
    const firstGate = deferred<void>();
    const first = cache.runLocked(['w'], async () => {
      order.push('first locked');
      await firstGate.promise;
    });
    const second = cache.runLocked(['w'], async () => {
      order.push('second locked');
    });
    expect(cache.lockedAppend('w')).toBeDefined();
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]); // both wait for the pipelined batch
    pipelined.resolve(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual(['first locked']);
    firstGate.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['first locked', 'second locked']);
    await new Promise((r) => setTimeout(r, 0));
    expect(cache.lockedAppend('w')).toBeUndefined();
  });

  it('passes a failed locked append to its caller, while later ones still run', async () => {
    const cache = new HeadCache();
    const failed = cache.runLocked(['w'], async () => {
      throw new Error('store down');
    });
    const next = cache.runLocked(['w'], async () => undefined);
    await expect(failed).rejects.toThrow('store down');
    await expect(next).resolves.toBeUndefined();
  });
});
