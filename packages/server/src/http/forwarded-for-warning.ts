import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';

/**
 * A check to run on every request while `trustProxy` is off: the first request that carries
 * `X-Forwarded-For` logs one warning; later ones cost one boolean test.
 *
 * Why: such a request most likely came through a reverse proxy, and then every client has the
 * proxy's address. The limits keyed by client address (`limits.authFailuresPerMinute`) then
 * treat all tenants as one client, and the audit trail's `ip` names the proxy. Nothing in the
 * answers shows that, so the log says it, once, naming the setting. The header's value is not
 * logged: a client can write anything in it.
 *
 * @example
 * ```ts
 * const noteForwardedFor = config.trustProxy === false ? forwardedForWarning(logger) : undefined;
 * app.addHook('onRequest', (request, _reply, done) => { noteForwardedFor?.(request); done(); });
 * ```
 */
export function forwardedForWarning(logger: Logger): (request: FastifyRequest) => void {
  let warned = false;
  return (request) => {
    if (warned || request.headers['x-forwarded-for'] === undefined) return;
    warned = true;
    logger.warn(
      { setting: 'trustProxy', env: 'PERCH_TRUST_PROXY', peer: request.ip },
      'a request carried X-Forwarded-For but trustProxy is off, so Perch takes the peer address as the client address: behind a proxy, all clients share it for limits.authFailuresPerMinute and the audit trail ip. Set trustProxy (PERCH_TRUST_PROXY) to the proxy addresses to use the forwarded client address instead. Logged once.',
    );
  };
}
