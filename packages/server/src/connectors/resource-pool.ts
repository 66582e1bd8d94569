/**
 * A fixed set of reusable resources (DuckDB connections) handed out one caller at a time.
 * Waiters are served first-in first-out; a waiter whose signal aborts leaves the queue.
 */
export class ResourcePool<T> {
  readonly #idle: T[];
  readonly #waiters: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];
  #closed = false;

  constructor(resources: readonly T[]) {
    this.#idle = [...resources];
  }

  acquire(signal?: AbortSignal): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('pool closed'));
    const ready = this.#idle.pop();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        resolve: (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = (): void => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal?.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  release(resource: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(resource);
    else this.#idle.push(resource);
  }

  /** Refuses new acquisitions, fails every waiter, and returns the idle resources for disposal. */
  close(): T[] {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(new Error('pool closed'));
    return this.#idle.splice(0);
  }
}
