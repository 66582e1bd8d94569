import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, relativeCycles, sourceFiles } from './import-graph.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

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
});
