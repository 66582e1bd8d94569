import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { loadEmbedAssets } from './server-assets.js';

let dir: string | undefined;
afterEach(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

describe('loadEmbedAssets', () => {
  it('fails with a PerchError when there is no build', async () => {
    dir = await mkdtemp(join(tmpdir(), 'perch-assets-'));
    expect(() => loadEmbedAssets(dir)).toThrow(PerchError);
  });

  it('refuses manifest names that could escape the dist directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'perch-assets-'));
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ entry: 'perch.A.js', files: ['../../etc/passwd'], gzipBytes: 0 }));
    expect(() => loadEmbedAssets(dir)).toThrow(/internal error/i);
  });

  it('reads files with content types and stable ETags', async () => {
    dir = await mkdtemp(join(tmpdir(), 'perch-assets-'));
    await writeFile(join(dir, 'perch.ABC.js'), 'export {};');
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ entry: 'perch.ABC.js', files: ['perch.ABC.js'], gzipBytes: 1 }));
    const first = loadEmbedAssets(dir).files.get('perch.ABC.js');
    const second = loadEmbedAssets(dir).files.get('perch.ABC.js');
    expect(first?.contentType).toBe('text/javascript; charset=utf-8');
    expect(first?.etag).toBe(second?.etag);
    expect(first?.body.toString()).toBe('export {};');
  });
});
