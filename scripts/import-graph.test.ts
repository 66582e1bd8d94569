import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, folderGraph, importGraph, relativeCycles, sourceFiles } from './import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Folder cycles of packages/server/src that are known and scheduled, each with why it is still
 * here. Listed exactly, so that a new cycle fails and so does the end of one of these (remove it
 * from this list then).
 */
const PENDING_FOLDER_CYCLES: string[][] = [];

describe('the import graph', () => {
  it('has no cycle between source files, type-only imports included', () => {
    const files = sourceFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    expect(relativeCycles(ROOT, cycles(importGraph(files)))).toEqual([]);
  });

  it('finds a cycle when there is one, through type imports and re-exports too', () => {
    const sources: Record<string, string> = {
      '/p/a.ts': "import type { B } from './b.js';\nexport interface A { b: B }",
      '/p/b.ts': "export { c } from './c.js';\nexport interface B { n: number }",
      '/p/c.ts': "// import { x } from './zzz.js' is a comment\nimport { a } from './a.js';\nexport const c = 1;",
      '/p/d.ts': "import { c } from './c.js';",
    };
    const graph = importGraph(Object.keys(sources), (file) => sources[file]!);
    expect(cycles(graph)).toEqual([['/p/a.ts', '/p/b.ts', '/p/c.ts']]);
  });

  it('has no cycle between the top-level folders of packages/server/src but the pending ones', () => {
    const found = cycles(folderGraph(importGraph(sourceFiles(ROOT)), join(ROOT, 'packages/server/src')));
    const sorted = (list: string[][]) => list.map((component) => [...component].sort()).sort((a, b) => a.join().localeCompare(b.join()));
    expect(sorted(found)).toEqual(sorted(PENDING_FOLDER_CYCLES));
  });

  it('finds a cycle between folders that no file cycle shows', () => {
    const sources: Record<string, string> = {
      '/s/app.ts': "import { q } from './query/service.js';",
      '/s/query/service.ts': "import type { R } from '../routes/types.js';\nexport const q = 1;",
      '/s/query/types.ts': 'export interface Q { n: number }',
      '/s/routes/types.ts': 'export interface R { n: number }',
      '/s/routes/query.ts': "import type { Q } from '../query/types.js';",
    };
    const graph = importGraph(Object.keys(sources), (file) => sources[file]!);
    expect(cycles(graph)).toEqual([]);
    const folders = folderGraph(graph, '/s');
    expect(folders.get('app.ts')).toEqual(['query']);
    expect(cycles(folders)).toEqual([['query', 'routes']]);
  });
});
