/**
 * The import graph of Perch's source files, read with TypeScript's own pre-processor (so comments,
 * strings and `import type` are handled as the compiler does), and its cycles. A cycle between
 * files, type-only ones included, means two modules cannot be understood or changed apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** Source files (not tests) under each `packages/<name>/src`. */
export function sourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(path);
    }
  };
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    if (existsSync(src)) walk(src);
  }
  return files.sort();
}

/** file → the files it imports by relative path (`./x.js` resolves to `x.ts`). */
export function importGraph(files: readonly string[], read: (file: string) => string = (file) => readFileSync(file, 'utf8')): Map<string, string[]> {
  const known = new Set(files.map((file) => resolve(file)));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const imports = ts.preProcessFile(read(file), true, true).importedFiles.map((ref) => ref.fileName);
    const targets = imports
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'))
      .filter((target) => known.has(target));
    graph.set(resolve(file), [...new Set(targets)]);
  }
  return graph;
}

/** The strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** Paths relative to `root`, for messages. */
export function relativeCycles(root: string, found: readonly string[][]): string[][] {
  return found.map((component) => component.map((file) => relative(root, file)));
}

/**
 * The graph between the top-level folders of `srcRoot`: folder → the folders its files import.
 * A file directly in `srcRoot` (e.g. `app.ts`) is a node of its own, named by its file name.
 * Imports within one folder and imports of files outside `srcRoot` are left out.
 *
 * @example
 * ```ts
 * cycles(folderGraph(importGraph(sourceFiles(root)), join(root, 'packages/server/src')))
 * // [] when no two folders import each other, however indirectly
 * ```
 */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>, srcRoot: string): Map<string, string[]> {
  const root = resolve(srcRoot);
  const folderOf = (file: string): string | undefined => {
    const path = relative(root, file);
    if (path.startsWith('..')) return undefined;
    return path.split(/[\\/]/)[0];
  };
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    if (from === undefined) continue;
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== undefined && to !== from) edges.add(to);
    }
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges].sort()]));
}
