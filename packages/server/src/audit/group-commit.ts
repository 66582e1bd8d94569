import { PerchError } from '@perch/protocol';

export interface GroupCommitOptions<T> {
  /** Longest an event waits for companions before its batch commits (0: next turn of the event loop). */
  batchMs: number;
  /** A batch commits as soon as this many events wait; also the most one transaction holds. */
  batchSize: number;
  /** Commit the batch durably (one transaction); resolve only after COMMIT. */
  commit(batch: T[]): Promise<void>;
  /** Told about every failed commit, for logs; the waiters already get `audit_unavailable`. */
  onError?: (error: unknown) => void;
}

interface Waiter<T> {
  item: T;
  resolve(): void;
  reject(error: PerchError): void;
}

/**
 * Group commit: callers enqueue and wait; one shared batch commits in one transaction and every
 * waiter settles after COMMIT. At most one commit is in flight. Events that arrive during a
 * commit form the next batch, which starts the moment the current one finishes (they have
 * already waited a full commit), so under load batches grow with the load and no time is lost
 * to the timer; an idle trail waits at most `batchMs` for companions.
 *
 * @example
 * ```ts
 * const gc = new GroupCommit({ batchMs: 5, batchSize: 500, commit: (batch) => appendBatch(db, batch, 10_000) });
 * await gc.enqueue(event); // committed
 * ```
 */
export class GroupCommit<T> {
  private pending: Waiter<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private inFlight: Promise<void> | undefined;
  private closed = false;
  /** Transactions committed or attempted; lets tests and metrics see the batching. */
  transactions = 0;

  constructor(private readonly options: GroupCommitOptions<T>) {}

  enqueue(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new PerchError('audit_unavailable', { detail: 'the audit trail is closed' }));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Commit everything enqueued so far; resolves when nothing is waiting or in flight. */
  async drain(): Promise<void> {
    while (this.pending.length > 0 || this.inFlight) {
      if (!this.inFlight) this.flush();
      await this.inFlight;
    }
  }

  /** Refuse new events, then drain. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private schedule(): void {
    if (this.inFlight) return; // the in-flight commit starts the next batch when it finishes
    if (this.pending.length >= this.options.batchSize) {
      this.flush();
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = this.options.batchMs <= 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), this.options.batchMs);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer as ReturnType<typeof setTimeout>);
    clearImmediate(this.timer as ReturnType<typeof setImmediate>);
    this.timer = undefined;
  }

  private flush(): void {
    this.clearTimer();
    if (this.inFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.batchSize);
    this.transactions += 1;
    this.inFlight = this.commitBatch(batch).finally(() => {
      this.inFlight = undefined;
      if (this.pending.length > 0) this.flush();
    });
  }

  private async commitBatch(batch: Waiter<T>[]): Promise<void> {
    try {
      await this.options.commit(batch.map((w) => w.item));
    } catch (error) {
      this.options.onError?.(error);
      // Fail closed: the route answers 503 and sends no data rather than serve an unaudited
      // request. The detail stays internal; the client sees only the generic message.
      const failure = new PerchError('audit_unavailable', { detail: `audit commit failed: ${(error as Error)?.message ?? String(error)}`, cause: error });
      for (const waiter of batch) waiter.reject(failure);
      return;
    }
    for (const waiter of batch) waiter.resolve();
  }
}
