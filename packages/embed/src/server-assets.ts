import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerchError } from '@perch/protocol';

/** `dist/manifest.json`, written by `build.ts`. */
export interface EmbedManifest {
  /** The content-hashed entry, e.g. `perch.3FJ2K1QX.js`. */
  entry: string;
  /** Every file of the build (entry, chunks, and the `perch.js` alias). */
  files: string[];
  /**
   * Gzipped bytes of everything needed to show a dashboard with chart tiles: the entry, its
   * static imports and the lazily loaded chart chunk (every file except the assistant's).
   * DESIGN.md section 7 budgets this at 150 KB.
   */
  gzipBytes: number;
  /** The files counted in `gzipBytes` (entry first). */
  dashboardFiles: string[];
  /** Gzipped bytes of the entry and its static imports only (KPI and table tiles, no charts). */
  initialGzipBytes: number;
  /** The entry's static import closure (entry included). */
  initialFiles: string[];
  /** Gzipped bytes of the lazily loaded Chart.js chunk alone (part of `gzipBytes`). */
  chartsGzipBytes: number;
  chartFiles: string[];
  /** Chunks loaded only by `<tc-ai-assistant>`, outside the dashboard budget. */
  lazyFiles: string[];
}

export interface EmbedAsset {
  body: Buffer;
  contentType: string;
  /** Strong ETag (quoted) over the body. */
  etag: string;
}

export interface EmbedAssets {
  /** Name of the hashed entry file; serve `/embed/perch.js` as a short-cached alias of it. */
  entryFile: string;
  /** File name (no directory) → asset. Hashed names may be cached `immutable`. */
  files: Map<string, EmbedAsset>;
  manifest: EmbedManifest;
}

/** `packages/embed/dist`, next to this package's sources. */
export function defaultDistDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
}

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  map: 'application/json; charset=utf-8',
};

/**
 * Read the built web components for serving. File names come only from the manifest and are
 * checked to be plain names, so a tampered manifest cannot make the server read outside `dist`.
 *
 * @example
 * ```ts
 * const assets = loadEmbedAssets();
 * app.get('/embed/perch.js', (req, reply) => reply.redirect(`/embed/${assets.entryFile}`, 302));
 * app.get('/embed/:file', (req, reply) => {
 *   const asset = assets.files.get(req.params.file);
 *   if (!asset) return reply.code(404).send();
 *   reply.header('content-type', asset.contentType).header('etag', asset.etag)
 *     .header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
 * });
 * ```
 */
export function loadEmbedAssets(distDir: string = defaultDistDir()): EmbedAssets {
  let manifest: EmbedManifest;
  try {
    manifest = JSON.parse(readFileSync(join(distDir, 'manifest.json'), 'utf8')) as EmbedManifest;
  } catch (cause) {
    throw new PerchError('internal_error', {
      detail: `No embed build in ${distDir}; run \`npm run build -w @perch/embed\`.`,
      cause,
    });
  }
  const files = new Map<string, EmbedAsset>();
  for (const name of manifest.files) {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) {
      throw new PerchError('internal_error', { detail: `Refusing embed asset name ${JSON.stringify(name)}` });
    }
    const body = readFileSync(join(distDir, name));
    const extension = name.slice(name.lastIndexOf('.') + 1);
    files.set(name, {
      body,
      contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    });
  }
  if (!files.has(manifest.entry)) {
    throw new PerchError('internal_error', { detail: `Embed manifest entry ${manifest.entry} is missing` });
  }
  return { entryFile: manifest.entry, files, manifest };
}
