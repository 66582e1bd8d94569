import { PerchError } from '@perch/protocol';

/** Why a running statement was interrupted by Perch (as opposed to failing on its own). */
export type InterruptReason = 'timeout' | 'cancelled';

/**
 * Watches one statement's deadline and its caller's AbortSignal. When either fires it records the
 * reason and calls `interrupt` once; the connector then maps whatever error the driver raises to
 * `query_timeout` or `query_cancelled` using {@link ExecutionGuard.reason}, so a driver's own
 * wording never decides the code a client sees.
 */
export class ExecutionGuard {
  #reason: InterruptReason | undefined;
  #timer: NodeJS.Timeout | undefined;
  #interrupt: (() => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #stopped = new AbortController();
  readonly #onAbort = (): void => this.#fire('cancelled');

  constructor(timeoutMs: number, signal?: AbortSignal) {
    this.#signal = signal;
    if (signal?.aborted) {
      this.#reason = 'cancelled';
      this.#stopped.abort();
      return;
    }
    signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#timer = setTimeout(() => this.#fire('timeout'), timeoutMs);
    this.#timer.unref();
  }

  /** Aborts when the statement must stop for either reason (e.g. to leave a pool's wait queue). */
  get signal(): AbortSignal {
    return this.#stopped.signal;
  }

  get reason(): InterruptReason | undefined {
    return this.#reason;
  }

  /** Throws `query_cancelled` if the caller already gave up, so no work starts for nobody. */
  throwIfInterrupted(): void {
    if (this.#reason) throw interruptError(this.#reason);
  }

  /** Registers how to stop the statement that is now running (replaces any earlier hook). */
  onInterrupt(interrupt: (() => void) | undefined): void {
    this.#interrupt = interrupt;
  }

  /** Stops the statement as if the caller had aborted (used when a connector closes). */
  cancel(): void {
    this.#fire('cancelled');
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#interrupt = undefined;
  }

  #fire(reason: InterruptReason): void {
    if (this.#reason) return;
    this.#reason = reason;
    clearTimeout(this.#timer);
    this.#stopped.abort();
    try {
      this.#interrupt?.();
    } catch {
      // Interrupting is best effort; the statement's own error (or its result) settles the call.
    }
  }
}

export function interruptError(reason: InterruptReason, cause?: unknown): PerchError {
  return reason === 'timeout'
    ? new PerchError('query_timeout', { message: 'The query took too long and was stopped.', cause })
    : new PerchError('query_cancelled', { message: 'The query was cancelled.', cause });
}

/** Client-safe wrapper for a failure of governed SQL: the driver's text (which may quote SQL) goes to `detail` only. */
export function queryFailedError(dialect: string, cause: unknown): PerchError {
  return new PerchError('internal_error', {
    message: 'The query could not be executed.',
    detail: `${dialect} query failed: ${describe(cause)}`,
    cause,
  });
}

export function unavailableError(dialect: string, cause: unknown): PerchError {
  return new PerchError('datasource_unavailable', { detail: `${dialect} unavailable: ${describe(cause)}`, cause });
}

export function describe(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}`;
  return String(cause);
}
