/**
 * The worker thread that owns an embedded store's PGlite instance.
 *
 * PGlite is PostgreSQL compiled to WebAssembly: every statement runs synchronously on the thread
 * that owns it. Owning it here keeps that work off the HTTP event loop. The main thread talks to
 * it only through `pglite-worker-protocol.ts` (see `pglite-worker-client.ts`).
 *
 * Requests are handled strictly one after another, in arrival order: the main thread relies on
 * that order to keep a transaction's statements together (`pglite-worker-dialect.ts`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { EMBEDDED_SETTINGS } from './embedded-settings.js';
import { serializeError, type PGliteWorkerData, type PGliteWorkerReply, type PGliteWorkerRequest } from './pglite-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('pglite-worker.ts must run in a worker thread');
const data = workerData as PGliteWorkerData;

/** The store this worker serves now, if any. */
let client: PGlite | undefined;

function reply(message: PGliteWorkerReply): void {
  port!.postMessage(message);
}

async function open(dataDir: string | null): Promise<PGlite> {
  const options: PGliteOptions = {};
  if (data.pgliteWasmModule) options.pgliteWasmModule = data.pgliteWasmModule;
  if (data.initdbWasmModule) options.initdbWasmModule = data.initdbWasmModule;
  options.startParams = [...PGlite.defaultStartParams, ...EMBEDDED_SETTINGS.flatMap((setting) => ['-c', setting])];
  const opened = dataDir === null ? new PGlite(options) : new PGlite(dataDir, options);
  await opened.waitReady;
  return opened;
}

async function run(request: PGliteWorkerRequest): Promise<PGliteWorkerReply> {
  switch (request.kind) {
    case 'open':
      if (client !== undefined) throw new Error('this worker already serves a store');
      client = await open(request.dataDir);
      return { kind: 'done', id: request.id };
    case 'close':
      if (client !== undefined && !client.closed) await client.close();
      client = undefined;
      return { kind: 'done', id: request.id };
    case 'query': {
      if (client === undefined) throw new Error('the embedded metadata store is not open');
      const result = await client.query<Record<string, unknown>>(request.sql, [...request.params]);
      return { kind: 'result', id: request.id, rows: result.rows, affectedRows: result.affectedRows ?? 0 };
    }
  }
}

/** Run one request and answer it; never throws, so the queue behind it keeps moving. */
async function handle(request: PGliteWorkerRequest): Promise<void> {
  try {
    // Posting inside the try: rows that cannot be cloned reach the caller as that error.
    reply(await run(request));
  } catch (error) {
    reply({ kind: 'error', id: request.id, error: serializeError(error) });
  }
}

let queue = Promise.resolve();
port.on('message', (request: PGliteWorkerRequest) => {
  queue = queue.then(() => handle(request));
});
