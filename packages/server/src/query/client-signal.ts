import type { FastifyReply } from 'fastify';

/**
 * An `AbortSignal` that fires when the client goes away before its response was written, so the
 * warehouse stops working on an answer nobody will read.
 *
 * The response's `close` event (not the request's, which fires once the body has been read)
 * tells a finished response from a dropped connection by `writableFinished`.
 */
export function clientDisconnectSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
