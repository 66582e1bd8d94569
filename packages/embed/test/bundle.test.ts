import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbed } from '../build.js';
import { loadEmbedAssets, type EmbedManifest } from '../src/server-assets.js';

/** DESIGN.md section 7: everything needed to show a dashboard, gzipped. */
const BUDGET_BYTES = 150 * 1024;
let distDir: string;
let manifest: EmbedManifest;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-embed-bundle-'));
  manifest = await buildEmbed({ outdir: distDir });
});
afterAll(() => rm(distDir, { recursive: true, force: true }));

/*
 * These helpers read the built files themselves rather than trusting esbuild's metafile, so a
 * mistake in build.ts's accounting cannot hide bytes from the budget.
 */
const STATIC_IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["']\.\/([^"']+)["']/g;
const DYNAMIC_IMPORT = /import\(\s*["']\.\/([^"']+)["']\s*\)/g;

/** Files reached from `file` through static imports, and through `import()` unless `skipDynamic` says so. */
async function closure(file: string, skipDynamic: (target: string) => boolean, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(join(distDir, file), 'utf8');
  for (const match of code.matchAll(STATIC_IMPORT)) await closure(match[1]!, skipDynamic, seen);
  for (const match of code.matchAll(DYNAMIC_IMPORT)) if (!skipDynamic(match[1]!)) await closure(match[1]!, skipDynamic, seen);
  return seen;
}

const isAssistantChunk = (file: string) => file.startsWith('assistant-panel.');
/** The maker's dashboard editor: only "Edit" (or a new dashboard) imports it, never a viewer's page. */
const isEditorChunk = (file: string) => file.startsWith('tc-dashboard-editor.');
const isOutsideBudget = (file: string) => isAssistantChunk(file) || isEditorChunk(file);
const budgetFiles = (m: EmbedManifest) => m.dashboardFiles;
const gzipSize = async (files: Iterable<string>) => {
  let total = 0;
  for (const file of files) total += gzipSync(await readFile(join(distDir, file))).byteLength;
  return total;
};

describe('embed bundle', () => {
  it('keeps everything a dashboard with charts loads under 150 KB gzip, and records it in the manifest', async () => {
    const dashboard = await closure(manifest.entry, isOutsideBudget);
    const total = await gzipSize(dashboard);
    expect([...dashboard].sort()).toEqual([...manifest.dashboardFiles].sort());
    // The chart chunk is part of the budget, not beside it.
    expect(manifest.chartFiles.length).toBeGreaterThan(0);
    for (const file of manifest.chartFiles) expect(dashboard.has(file)).toBe(true);
    expect(total).toBe(manifest.gzipBytes);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
    const written = JSON.parse(await readFile(join(distDir, 'manifest.json'), 'utf8')) as EmbedManifest;
    expect(written.gzipBytes).toBe(total);
  });

  it('leaves only the assistant and the editor outside the budget: every other built file is counted', async () => {
    const built = (await readdir(distDir)).filter((f) => f.endsWith('.js') && f !== 'perch.js');
    const dashboard = new Set(manifest.dashboardFiles);
    const outside = built.filter((f) => !dashboard.has(f));
    const assistantChunk = manifest.lazyFiles.find(isAssistantChunk);
    const editorChunk = manifest.lazyFiles.find(isEditorChunk);
    expect(assistantChunk).toBeDefined();
    expect(editorChunk).toBeDefined();
    const lazyOnly = new Set([...(await closure(assistantChunk!, () => false)), ...(await closure(editorChunk!, () => false))]);
    for (const file of outside) expect(lazyOnly.has(file)).toBe(true);
    expect(outside.sort()).toEqual([...manifest.lazyFiles].sort());
    expect(await gzipSize(built)).toBeGreaterThanOrEqual(manifest.gzipBytes);
  });

  it('splits Chart.js, the assistant and the editor into lazily imported chunks', async () => {
    const initial = await closure(manifest.entry, () => true);
    expect([...initial].sort()).toEqual([...manifest.initialFiles].sort());
    expect(await gzipSize(initial)).toBe(manifest.initialGzipBytes);
    const lazy = manifest.files.filter((f) => f.endsWith('.js') && f !== 'perch.js' && !initial.has(f));
    expect(lazy.some((f) => f.startsWith('assistant-panel.'))).toBe(true);
    expect(lazy.some((f) => f.startsWith('chartjs-setup.'))).toBe(true);
    expect(lazy.some(isEditorChunk)).toBe(true);
    // The shell must not carry the editor: its tile builder's text lives in the editor chunk only.
    const editorText = 'Choose a dataset and at least one measure or dimension.';
    for (const file of budgetFiles(manifest)) expect(await readFile(join(distDir, file), 'utf8')).not.toContain(editorText);
    expect(await readFile(join(distDir, manifest.lazyFiles.find(isEditorChunk)!), 'utf8')).toContain(editorText);
    // The shell must not carry chart drawing code: Chart.js' core (with this message) is lazy.
    const chartCore = 'Canvas is already in use';
    for (const file of initial) expect(await readFile(join(distDir, file), 'utf8')).not.toContain(chartCore);
    expect(await readFile(join(distDir, manifest.chartFiles[0]!), 'utf8')).toContain(chartCore);
    expect(manifest.initialGzipBytes + manifest.chartsGzipBytes).toBeLessThanOrEqual(manifest.gzipBytes);
  });

  it('serves through loadEmbedAssets: hashed entry, perch.js alias, content types and ETags', async () => {
    const assets = loadEmbedAssets(distDir);
    expect(assets.entryFile).toMatch(/^perch\.[A-Z0-9]+\.js$/);
    const alias = assets.files.get('perch.js');
    expect(alias?.body.toString()).toBe(`export * from './${assets.entryFile}';\n`);
    const entry = assets.files.get(assets.entryFile)!;
    expect(entry.contentType).toBe('text/javascript; charset=utf-8');
    expect(entry.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(entry.etag).not.toBe(alias!.etag);
    expect(assets.files.size).toBe(manifest.files.length);
  });
});
