import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEmbed } from '../build.js';
import { loadEmbedAssets, type EmbedManifest } from '../src/server-assets.js';

const BUDGET_BYTES = 150 * 1024;
let distDir: string;
let manifest: EmbedManifest;

beforeAll(async () => {
  distDir = await mkdtemp(join(tmpdir(), 'perch-embed-bundle-'));
  manifest = await buildEmbed({ outdir: distDir });
});
afterAll(() => rm(distDir, { recursive: true, force: true }));

/** Follow static `import … from "./x.js"` statements in the built files (not `import()`). */
async function staticClosure(file: string, seen = new Set<string>()): Promise<Set<string>> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = await readFile(join(distDir, file), 'utf8');
  for (const match of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w*{}\s,$]*from\s*)?["']\.\/([^"']+)["']/g)) {
    await staticClosure(match[1]!, seen);
  }
  return seen;
}

describe('embed bundle', () => {
  it('keeps the dashboard entry and its static imports under 150 KB gzip', async () => {
    const files = await staticClosure(manifest.entry);
    let total = 0;
    for (const file of files) total += gzipSync(await readFile(join(distDir, file))).byteLength;
    expect([...files].sort()).toEqual([...manifest.initialFiles].sort());
    expect(total).toBe(manifest.gzipBytes);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('splits ECharts and the assistant into lazily imported chunks', async () => {
    const initial = await staticClosure(manifest.entry);
    const lazy = manifest.files.filter((f) => f.endsWith('.js') && f !== 'perch.js' && !initial.has(f));
    expect(lazy.some((f) => f.startsWith('assistant-panel.'))).toBe(true);
    expect(lazy.some((f) => f.startsWith('echarts-setup.'))).toBe(true);
    // The lazily loaded chart chunk is recorded honestly; this guards against regressions
    // (ECharts core alone is ~100 KB gzip, see docs/embedding.md).
    expect(manifest.chartsGzipBytes).toBeGreaterThan(manifest.gzipBytes);
    expect(manifest.chartsGzipBytes).toBeLessThanOrEqual(210 * 1024);
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
