import { LRUCache } from 'lru-cache';
import { PerchError } from '@perch/protocol';
import { signalOf, type SignalSource } from './client-signal.js';

export interface ResultCacheOptions {
  /** Entries kept at most (least recently used evicted first). `0` disables storing results. */
  maxEntries: number;
  /** How long an entry stays fresh, in milliseconds. `0` disables storing results. */
  ttlMs: number;
}

export interface CachedValue<T> {
  value: T;
  /** True when the value came from the cache or from an execution another request started. */
  cacheHit: boolean;
}

interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * A bounded in-process result cache with single-flight: concurrent misses for the same key share
 * one execution. The shared execution gets its own `AbortSignal`, which fires only when *every*
 * waiter has gone away, so one impatient client never cancels another client's answer.
 *
 * Errors are never cached; the next request runs again.
 *
 * @example
 * ```ts
 * const cache = new ResultCache<QueryRows>({ maxEntries: 5000, ttlMs: 60_000 });
 * const { value, cacheHit } = await cache.get(key, (signal) => connector.execute(sql, { signal }), clientDisconnectSignal(reply));
 * ```
 */
export class ResultCache<T extends object> {
  readonly #store: LRUCache<string, T> | undefined;
  readonly #inFlight = new Map<string, Flight<T>>();

  constructor(options: ResultCacheOptions) {
    this.#store = options.maxEntries > 0 && options.ttlMs > 0 ? new LRUCache<string, T>({ max: options.maxEntries, ttl: options.ttlMs }) : undefined;
  }

  get size(): number {
    return this.#store?.size ?? 0;
  }

  async get(key: string, load: (signal: AbortSignal) => Promise<T>, source?: SignalSource): Promise<CachedValue<T>> {
    // A stored answer costs nothing to hand out, so the signal (deferred or not) is consulted
    // only when this request would wait for an execution.
    const stored = this.#store?.get(key);
    if (stored !== undefined) return { value: stored, cacheHit: true };
    const signal = signalOf(source);
    if (signal?.aborted) throw new PerchError('query_cancelled');

    let flight = this.#inFlight.get(key);
    const joined = flight !== undefined;
    if (!flight) flight = this.#start(key, load);
    flight.waiters++;
    try {
      const value = await waitFor(flight, signal);
      return { value, cacheHit: joined };
    } finally {
      flight.waiters--;
      // The last waiter leaving before the answer stops the shared execution.
      if (flight.waiters === 0 && this.#inFlight.get(key) === flight) flight.controller.abort();
    }
  }

  #start(key: string, load: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = { controller, waiters: 0, promise: Promise.resolve() as Promise<never> };
    flight.promise = (async () => {
      try {
        const value = await load(controller.signal);
        this.#store?.set(key, value);
        return value;
      } finally {
        this.#inFlight.delete(key);
      }
    })();
    // Waiters observe the promise; this keeps an abandoned flight from an unhandled rejection.
    flight.promise.catch(() => undefined);
    this.#inFlight.set(key, flight);
    return flight;
  }
}

function waitFor<T>(flight: Flight<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return flight.promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new PerchError('query_cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    flight.promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
