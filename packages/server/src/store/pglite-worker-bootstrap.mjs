// Entry point of the embedded store's worker thread (see pglite-worker-client.ts).
// Perch runs its TypeScript through tsx, but on Node 20 a worker thread does not get the
// parent's tsx loader (not even with `--import tsx` in its execArgv), so the worker registers
// tsx itself before loading the TypeScript module that does the work.
import { register } from 'tsx/esm/api';

register();
await import('./pglite-worker.ts');
