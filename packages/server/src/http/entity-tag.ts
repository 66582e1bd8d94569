import type { FastifyReply, FastifyRequest } from 'fastify';
import { PerchError } from '@perch/protocol';

/**
 * A saved dashboard's version as a strong entity tag: `"<version>"`.
 *
 * @example
 * ```ts
 * versionTag(3) // '"3"'
 * ```
 */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * Send `version` as the response's `ETag` (CORS exposes it to embedding pages).
 *
 * @example
 * ```ts
 * return sendVersionTag(reply, saved.version).send({ id, version: saved.version });
 * ```
 */
export function sendVersionTag(reply: FastifyReply, version: number): FastifyReply {
  return reply.header('etag', versionTag(version));
}

/**
 * The version a write expects, from `If-Match: "<version>"`; `undefined` when the header is absent.
 *
 * Only one strong tag of Perch's form is accepted. A weak tag (`W/"3"`), a list or `*` is refused
 * with 400 rather than read loosely: `*` would turn the check into "overwrite whatever is there",
 * which is exactly what the header exists to prevent.
 *
 * @example
 * ```ts
 * expectedVersion(request) // 3 for `If-Match: "3"`, undefined without the header
 * ```
 */
export function expectedVersion(request: FastifyRequest): number | undefined {
  const raw = request.headers['if-match'];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const match = /^\s*"(\d{1,9})"\s*$/.exec(value);
  if (!match) throw new PerchError('invalid_request', { path: 'if-match', message: 'if-match: expected one entity tag of the form "<version>", as sent in ETag' });
  return Number(match[1]);
}
