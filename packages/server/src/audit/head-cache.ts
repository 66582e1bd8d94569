/** What the last commit of this process left (or a batch in flight will leave) at the head of a workspace's chain. */
export interface CachedHead {
  seq: number;
  hash: string;
  /** Epoch ms of the last event (event times never decrease within a workspace). */
  time: number;
  salt: string;
  raw: boolean;
  /** Epoch ms when the head was last read from the store under its lock. */
  readAt: number;
  /**
   * Set while the head is a prediction: settles when the batch that predicted it has finished,
   * true if that batch was written.
   */
  written?: Promise<boolean>;
}

/**
 * Per-process knowledge of each workspace's chain head, which lets most commits skip reading it
 * (see `appendBatch`), and the locked appends this process has in flight.
 *
 * Reading a head and recording the prediction that follows it happen in one synchronous step,
 * so batches started one after another chain onto each other whatever the interleaving.
 */
export class HeadCache {
  readonly #heads = new Map<string, CachedHead>();
  readonly #locked = new Map<string, Promise<void>>();

  get(workspace: string): CachedHead | undefined {
    return this.#heads.get(workspace);
  }

  set(workspace: string, head: CachedHead): void {
    this.#heads.set(workspace, head);
  }

  /** Drop a head unless a later prediction already replaced it (that batch settles it itself). */
  forget(workspace: string, head: CachedHead): void {
    const current = this.#heads.get(workspace);
    if (current === undefined || current === head || current.seq <= head.seq) this.#heads.delete(workspace);
  }

  /** The locked append of this process in flight for the workspace, if any (never rejects). */
  lockedAppend(workspace: string): Promise<void> | undefined {
    return this.#locked.get(workspace);
  }

  /**
   * Run a locked append for these workspaces after this process's earlier locked appends and
   * pipelined batches for them have finished. Until it is done, later batches wait for it
   * instead of racing it with predictions it is about to replace.
   */
  runLocked(workspaces: readonly string[], append: () => Promise<void>): Promise<void> {
    const before: Promise<unknown>[] = [];
    for (const workspace of workspaces) {
      const locked = this.#locked.get(workspace);
      if (locked) before.push(locked);
      const written = this.#heads.get(workspace)?.written;
      if (written) before.push(written);
    }
    const done = (async () => {
      await Promise.allSettled(before);
      await append();
    })();
    const barrier = done.then(
      () => undefined,
      () => undefined,
    );
    for (const workspace of workspaces) this.#locked.set(workspace, barrier);
    void barrier.then(() => {
      for (const workspace of workspaces) if (this.#locked.get(workspace) === barrier) this.#locked.delete(workspace);
    });
    return done;
  }
}
