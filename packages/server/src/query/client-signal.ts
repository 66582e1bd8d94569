import type { FastifyReply } from 'fastify';

/**
 * Where a task gets its cancellation signal: the signal itself, or a function that makes it on
 * first call. A cache hit never needs one, and an `AbortController` plus a `close` listener per
 * request showed up as about 3% of a cached query's event-loop time; so routes hand out the
 * function and the signal is made only when work that can be cancelled starts.
 */
export type SignalSource = AbortSignal | (() => AbortSignal);

/** The signal of a source, made now if it was deferred. */
export function signalOf(source: SignalSource | undefined): AbortSignal | undefined {
  return typeof source === 'function' ? source() : source;
}

/**
 * A deferred `AbortSignal` that fires when the client goes away before its response was written,
 * so the warehouse stops working on an answer nobody will read. The first call makes the signal
 * (already aborted if the client left before that); later calls return the same one.
 *
 * The response's `close` event (not the request's, which fires once the body has been read)
 * tells a finished response from a dropped connection by `writableFinished`.
 *
 * @example
 * ```ts
 * const signal = clientDisconnectSignal(reply);
 * await service.run(claims, body, { signal }); // made only if the query reaches the warehouse
 * ```
 */
export function clientDisconnectSignal(reply: FastifyReply): () => AbortSignal {
  let signal: AbortSignal | undefined;
  return () => (signal ??= watch(reply));
}

function watch(reply: FastifyReply): AbortSignal {
  const response = reply.raw;
  if (response.destroyed && !response.writableFinished) return AbortSignal.abort();
  const controller = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}
