import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PerchError } from '@perch/protocol';
import { loadEmbedAssets, type EmbedAsset, type EmbedAssets } from '@perch/embed/server-assets';
import type { PerchContext } from '../context.js';

/** The stable entry name host pages use in `<script type="module" src=".../embed/perch.js">`. */
const ENTRY_ALIAS = 'perch.js';

/**
 * `GET /embed/perch.js` and `GET /embed/{hashed file}`: the web components, public and without auth.
 *
 * - The entry alias is revalidated on every load (`no-cache` + ETag), so a new release reaches
 *   host pages at once; the content-hashed files it imports are cached for a year, `immutable`.
 * - `Access-Control-Allow-Origin: *` is sent on these static files only. Host pages load them as
 *   module scripts from another origin, which requires CORS. The bundle is the same public code
 *   for everyone and carries no data, token or tenant value, so a wildcard reveals nothing; every
 *   data route stays behind the embed-token CORS policy, which echoes only authorized origins.
 *
 * @example
 * ```html
 * <script type="module" src="https://perch.example.com/embed/perch.js"></script>
 * ```
 */
export function registerEmbedAssetRoutes(app: FastifyInstance, ctx: PerchContext, distDir?: string): void {
  let assets: EmbedAssets | undefined;
  try {
    assets = loadEmbedAssets(distDir);
  } catch (error) {
    // Perch still serves its API without a built bundle; the asset routes then answer 404.
    ctx.logger.warn({ detail: error instanceof PerchError ? error.detail : String(error) }, 'embed bundle not found; /embed/* is unavailable');
  }

  const send = (request: FastifyRequest, reply: FastifyReply, asset: EmbedAsset, cacheControl: string) => {
    reply
      .header('content-type', asset.contentType.startsWith('text/javascript') ? 'text/javascript; charset=utf-8' : asset.contentType)
      .header('etag', asset.etag)
      .header('cache-control', cacheControl)
      .header('access-control-allow-origin', '*')
      .header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
    return reply.send(asset.body);
  };

  app.get('/embed/:file', { schema: { summary: 'The embeddable web components (public, static)', tags: ['embed'], hide: true } }, async (request, reply) => {
    const file = (request.params as { file?: unknown }).file;
    const asset = typeof file === 'string' ? assets?.files.get(file) : undefined;
    if (!asset || typeof file !== 'string') throw new PerchError('not_found', { message: 'No such embed file.' });
    if (file === ENTRY_ALIAS) return send(request, reply, asset, 'no-cache');
    // Only content-hashed names are immutable; the manifest and any unhashed file are revalidated.
    return send(request, reply, asset, /\.[A-Z0-9]{8}\.js$/.test(file) ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
}
