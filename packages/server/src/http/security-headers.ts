import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** Header name (lower case) → value: what helmet puts on every response. */
export type SecurityHeaders = Readonly<Record<string, string>>;

/**
 * The security headers that helmet sets for `options`, computed once.
 *
 * Why not a helmet middleware per request: helmet's answer does not depend on the request when
 * no Content-Security-Policy nonce is used (Perch serves an API and a script, never HTML that
 * needs one). `@fastify/helmet` rebuilt the middleware from its options on every request and ran
 * a dozen header setters; a profile of cached queries put that near a tenth of the event loop.
 * helmet still decides every header and value; Perch only replays its answer.
 *
 * Refuses options that would make the answer depend on the request (CSP nonces, functions in
 * CSP directives), because a replayed answer would then be wrong.
 *
 * @example
 * ```ts
 * const headers = securityHeaders({ contentSecurityPolicy: false });
 * headers['x-content-type-options']; // 'nosniff'
 * app.addHook('onRequest', (_request, reply, done) => { reply.headers(headers); done(); });
 * ```
 */
export function securityHeaders(options: HelmetOptions): SecurityHeaders {
  assertRequestIndependent(options);
  const recorded: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      recorded[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete recorded[name.toLowerCase()];
    },
  };
  // helmet's middleware only calls setHeader and removeHeader on the response and never reads
  // the request (checked above); anything else it touched would throw here, at startup.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(recorded);
}

/**
 * What Perch asks helmet for. Perch serves JSON, CSV, NDJSON, metrics and scripts, never an HTML
 * document, so the headers that only govern documents are left out; every answer carries the
 * rest: `Strict-Transport-Security`, `X-Content-Type-Options: nosniff`, `X-Frame-Options`,
 * `Referrer-Policy` and `Cross-Origin-Resource-Policy`.
 *
 * Left out, each because it acts only on a document or on a client that no longer exists:
 * - `Cross-Origin-Opener-Policy` and `Origin-Agent-Cluster`: isolate a top-level document's
 *   browsing context or agent cluster;
 * - `X-DNS-Prefetch-Control`: governs a document's link prefetching;
 * - `X-XSS-Protection: 0`: switches off the removed XSS auditors for HTML;
 * - `X-Download-Options`: Internet Explorer 8 opening downloaded HTML in the site's context;
 * - `X-Permitted-Cross-Domain-Policies`: Flash and Acrobat reading `crossdomain.xml`.
 *
 * Why bother: every header is written on every answer and parsed by every client, and a cached
 * query's answer is small; these six were about a third of its header bytes.
 *
 * No Content-Security-Policy: it governs documents, and Perch serves none (the embed components
 * run under the host page's policy).
 */
export const PERCH_HELMET_OPTIONS: Readonly<HelmetOptions> = Object.freeze({
  contentSecurityPolicy: false,
  crossOriginResourcePolicy: { policy: 'cross-origin' as const },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xXssProtection: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
});

function assertRequestIndependent(options: HelmetOptions): void {
  const csp = options.contentSecurityPolicy;
  if (csp === false) return;
  const directives = typeof csp === 'object' && csp.directives ? Object.values(csp.directives) : [];
  const dynamic = directives.some((value) => typeof value === 'function' || (Array.isArray(value) && value.some((part: unknown) => typeof part === 'function')));
  if (dynamic) throw new TypeError('securityHeaders: Content-Security-Policy directives must be constants (they are computed once, not per request)');
}
