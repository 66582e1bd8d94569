import { PerchError } from '@perch/protocol';

export interface GroupCommitOptions<T> {
  /** Longest an event waits for companions before its batch commits (0: next turn of the event loop). */
  batchMs: number;
  /** A batch commits as soon as this many events wait; also the most one transaction holds. */
  batchSize: number;
  /**
   * Commits in flight at once (default 1). Above 1, a batch starts while earlier ones are still
   * committing, so a request's wait is about one commit, not one commit plus the one before it.
   * Batches may then commit in any order; the audit trail's store serializes them per workspace.
   */
  maxInFlight?: number;
  /** Commit the batch durably (one transaction); resolve only after COMMIT. */
  commit(batch: T[]): Promise<void>;
  /** Told about every failed commit, for logs; the waiters already get `audit_unavailable`. */
  onError?: (error: unknown) => void;
}

interface Waiter<T> {
  item: T;
  resolve(): void;
  reject(error: PerchError): void;
  /** Committed or failed (lets `drain` wait for exactly the events enqueued before it). */
  settled?: true;
}

/**
 * Group commit: callers enqueue and wait; one shared batch commits in one transaction and every
 * waiter settles after COMMIT. At most `maxInFlight` commits run at once. Events that arrive
 * while that many are committing form the next batch, which starts the moment one finishes
 * (they have already waited a commit), so under load batches grow with the load and no time is
 * lost to the timer; otherwise an event waits at most `batchMs` for companions.
 *
 * @example
 * ```ts
 * const gc = new GroupCommit({ batchMs: 5, batchSize: 500, commit: (batch) => appendBatch(db, batch, options) });
 * await gc.enqueue(event); // committed
 * ```
 */
export class GroupCommit<T> {
  private pending: Waiter<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxInFlight: number;
  private closed = false;
  /** Transactions committed or attempted; lets tests and metrics see the batching. */
  transactions = 0;

  constructor(private readonly options: GroupCommitOptions<T>) {
    this.maxInFlight = options.maxInFlight ?? 1;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError('maxInFlight must be a positive integer');
  }

  enqueue(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new PerchError('audit_unavailable', { detail: 'the audit trail is closed' }));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Commit everything enqueued so far; resolves once those events are committed (or failed).
   * Events enqueued after the call are not waited for, so it returns under continuous load too.
   */
  async drain(): Promise<void> {
    const committing = [...this.inFlight];
    const queued = [...this.pending];
    await Promise.all(committing);
    // Batches leave the queue in order, so each round commits the oldest of these first.
    while (queued.some((waiter) => waiter.settled !== true)) {
      this.flush();
      await Promise.all(this.inFlight);
    }
  }

  /** Refuse new events, then drain. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private schedule(): void {
    if (this.inFlight.size >= this.maxInFlight) return; // a finishing commit starts the next batch
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
    if (this.inFlight.size >= this.maxInFlight || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.batchSize);
    this.transactions += 1;
    const commit: Promise<void> = this.commitBatch(batch).finally(() => {
      this.inFlight.delete(commit);
      if (this.pending.length > 0) this.flush();
    });
    this.inFlight.add(commit);
    // More waiting than one batch holds, and room for another commit: start it too.
    if (this.pending.length >= this.options.batchSize) this.flush();
  }

  private async commitBatch(batch: Waiter<T>[]): Promise<void> {
    try {
      await this.options.commit(batch.map((w) => w.item));
    } catch (error) {
      this.options.onError?.(error);
      // Fail closed: the route answers 503 and sends no data rather than serve an unaudited
      // request. The detail stays internal; the client sees only the generic message.
      const failure = new PerchError('audit_unavailable', { detail: `audit commit failed: ${(error as Error)?.message ?? String(error)}`, cause: error });
      for (const waiter of batch) {
        waiter.settled = true;
        waiter.reject(failure);
      }
      return;
    }
    for (const waiter of batch) {
      waiter.settled = true;
      waiter.resolve();
    }
  }
}
