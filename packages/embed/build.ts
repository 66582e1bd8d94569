/**
 * Builds the web components to `dist/`: a content-hashed ES module entry, lazily loaded chunks,
 * a `perch.js` alias, and `manifest.json` (entry name, files, and the gzip size of everything a
 * dashboard loads, checked against the 150 KB budget in `test/bundle.test.ts`).
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
    // Metafile paths relative to this package, whatever the caller's working directory.
    absWorkingDir: packageDir,
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
  const { metafile } = result;
  const outputs = metafile.outputs;
  const entryPath = Object.keys(outputs).find((path) => outputs[path]?.entryPoint !== undefined && !isAssistantChunk(metafile, path));
  if (!entryPath) throw new Error('esbuild produced no entry');
  const entry = basename(entryPath);
  const initial = closure(metafile, entryPath, () => false);
  // The budget covers everything a dashboard with chart tiles loads: the entry, its static
  // imports, and every lazily imported chunk except the assistant's (which only
  // <tc-ai-assistant> fetches) and the editor's (which only a maker pressing "Edit" fetches).
  // Counting only static imports would hide the chart library.
  const dashboard = closure(metafile, entryPath, (target) => !isAssistantChunk(metafile, target) && !isEditorChunk(metafile, target));
  const chartsPath = Object.keys(outputs).find((path) => hasInput(metafile, path, 'src/charts/chartjs-setup.ts'));
  // perch.js: a stable, short-cached name that re-exports the immutable hashed entry.
  writeFileSync(join(outdir, 'perch.js'), `export * from './${entry}';\n`);
  const manifest: EmbedManifest = {
    entry,
    files: ['perch.js', ...Object.keys(outputs).map((path) => basename(path))],
    gzipBytes: gzipTotal(dashboard),
    dashboardFiles: dashboard.map((path) => basename(path)),
    initialGzipBytes: gzipTotal(initial),
    initialFiles: initial.map((path) => basename(path)),
    chartsGzipBytes: chartsPath ? gzipTotal([chartsPath]) : 0,
    chartFiles: chartsPath ? [basename(chartsPath)] : [],
    lazyFiles: Object.keys(outputs).filter((path) => !dashboard.includes(path)).map((path) => basename(path)),
  };
  writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}

function gzipTotal(paths: string[]): number {
  return paths.reduce((sum, path) => sum + gzipSync(readFileSync(resolve(packageDir, path))).byteLength, 0);
}

function hasInput(metafile: Metafile, outputPath: string, input: string): boolean {
  return Object.keys(metafile.outputs[outputPath]?.inputs ?? {}).includes(input);
}

/** A chunk whose dynamic-import entry point lives in `src/assistant/` (except the always-loaded element). */
function isAssistantChunk(metafile: Metafile, outputPath: string): boolean {
  const entryPoint = metafile.outputs[outputPath]?.entryPoint ?? '';
  return entryPoint.startsWith('src/assistant/') && entryPoint !== 'src/assistant/tc-ai-assistant.ts';
}

/** The dashboard editor's chunk: its dynamic-import entry point lives in `src/dashboard/editor/`. */
function isEditorChunk(metafile: Metafile, outputPath: string): boolean {
  return (metafile.outputs[outputPath]?.entryPoint ?? '').startsWith('src/dashboard/editor/');
}

/**
 * The output `start` and every chunk it reaches through static imports, plus through `import()`
 * when `followDynamic(target)` says so. Output paths, relative to this package.
 */
function closure(metafile: Metafile, start: string, followDynamic: (target: string) => boolean): string[] {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.outputs[path]?.imports ?? []) {
      if (imported.external) continue;
      if (imported.kind === 'import-statement' || (imported.kind === 'dynamic-import' && followDynamic(imported.path))) visit(imported.path);
    }
  };
  visit(start);
  return [...seen];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const manifest = await buildEmbed();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(
    `Perch embed: ${manifest.entry}; gzip ${kb(manifest.gzipBytes)} to show a dashboard (${kb(manifest.initialGzipBytes)} shell + ${kb(manifest.chartsGzipBytes)} charts); ${manifest.files.length} files`,
  );
}
