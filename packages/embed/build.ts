/**
 * Builds the web components to `dist/`: a content-hashed ES module entry, lazily loaded chunks,
 * a `perch.js` alias, and `manifest.json` (entry name, files, gzip size of the initial load).
 *
 *   npm run build -w @perch/embed
 */
import { build, type Metafile } from 'esbuild';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { EmbedManifest } from './src/server-assets.js';

const packageDir = dirname(fileURLToPath(import.meta.url));

export interface BuildEmbedOptions {
  /** Output directory; default `packages/embed/dist`. It is emptied first. */
  outdir?: string;
  minify?: boolean;
}

/**
 * Run esbuild and write the manifest.
 *
 * @example
 * const manifest = await buildEmbed({ outdir: '/tmp/perch-embed' });
 */
export async function buildEmbed(options: BuildEmbedOptions = {}): Promise<EmbedManifest> {
  const outdir = resolve(options.outdir ?? join(packageDir, 'dist'));
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await build({
    entryPoints: { perch: join(packageDir, 'src/perch.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: options.minify ?? true,
    legalComments: 'none',
    entryNames: '[name].[hash]',
    chunkNames: '[name].[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const entryPath = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined);
  if (!entryPath) throw new Error('esbuild produced no entry');
  const entry = basename(entryPath);
  const initial = staticClosure(result.metafile, entryPath);
  const gzipBytes = gzipTotal(initial);
  // ECharts is a lazy chunk; a dashboard with chart tiles also needs it, so report that total too.
  const chartsPath = Object.keys(outputs).find((path) => Object.keys(outputs[path]?.inputs ?? {}).some((input) => input.endsWith('src/charts/echarts-setup.ts')));
  const withCharts = chartsPath ? [...new Set([...initial, ...staticClosure(result.metafile, chartsPath)])] : initial;
  // perch.js: a stable, short-cached name that re-exports the immutable hashed entry.
  writeFileSync(join(outdir, 'perch.js'), `export * from './${entry}';\n`);
  const manifest: EmbedManifest = {
    entry,
    files: ['perch.js', ...Object.keys(outputs).map((path) => basename(path))],
    gzipBytes,
    initialFiles: initial.map((path) => basename(path)),
    chartsGzipBytes: gzipTotal(withCharts),
    chartFiles: withCharts.map((path) => basename(path)),
  };
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function gzipTotal(paths: string[]): number {
  return paths.reduce((sum, path) => sum + gzipSync(readFileSync(resolve(path))).byteLength, 0);
}

/** The entry and every chunk it reaches through static `import` statements (not `import()`). */
function staticClosure(metafile: Metafile, entryPath: string): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryPath);
  return [...seen];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const manifest = await buildEmbed();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`Perch embed: ${manifest.entry}; gzip ${kb(manifest.gzipBytes)} initial, ${kb(manifest.chartsGzipBytes)} with charts; ${manifest.files.length} files`);
}
