import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PGliteWorkerData } from './pglite-worker-protocol.js';

let modules: Promise<PGliteWorkerData> | undefined;

/**
 * PGlite's WebAssembly, compiled once per process and handed to every store worker. PGlite
 * caches compiled modules per thread only, so each new worker would otherwise compile its ~10 MB
 * again. If the files cannot be found or compiled, workers fall back to PGlite's own loading.
 */
export function compiledPGliteModules(): Promise<PGliteWorkerData> {
  modules ??= (async () => {
    try {
      const dist = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
      const [pgliteWasmModule, initdbWasmModule] = await Promise.all([
        readFile(join(dist, 'pglite.wasm')).then((bytes) => WebAssembly.compile(bytes)),
        readFile(join(dist, 'initdb.wasm')).then((bytes) => WebAssembly.compile(bytes)),
      ]);
      return { pgliteWasmModule, initdbWasmModule };
    } catch {
      return {};
    }
  })();
  return modules;
}
