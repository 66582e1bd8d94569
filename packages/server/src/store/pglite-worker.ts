/**
 * The worker thread that owns the embedded store's PGlite instance.
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
import { serializeError, type PGliteWorkerData, type PGliteWorkerReply, type PGliteWorkerRequest } from './pglite-worker-protocol.js';

const port = parentPort;
if (port === null) throw new Error('pglite-worker.ts must run in a worker thread');
const data = workerData as PGliteWorkerData;

function reply(message: PGliteWorkerReply): void {
  port!.postMessage(message);
}

async function open(): Promise<PGlite> {
  const options: PGliteOptions = {};
  if (data.pgliteWasmModule) options.pgliteWasmModule = data.pgliteWasmModule;
  if (data.initdbWasmModule) options.initdbWasmModule = data.initdbWasmModule;
  const client = data.dataDir === null ? new PGlite(options) : new PGlite(data.dataDir, options);
  await client.waitReady;
  return client;
}

/** Run one request and answer it; never throws, so the queue behind it keeps moving. */
async function handle(client: PGlite, request: PGliteWorkerRequest): Promise<boolean> {
  if (request.kind === 'close') {
    try {
      if (!client.closed) await client.close();
      reply({ kind: 'closed', id: request.id });
    } catch (error) {
      reply({ kind: 'error', id: request.id, error: serializeError(error) });
    }
    return false;
  }
  try {
    const result = await client.query<Record<string, unknown>>(request.sql, [...request.params]);
    reply({ kind: 'result', id: request.id, rows: result.rows, affectedRows: result.affectedRows ?? 0 });
  } catch (error) {
    // Also reached when the rows cannot be cloned: the caller gets that error, not silence.
    reply({ kind: 'error', id: request.id, error: serializeError(error) });
  }
  return true;
}

async function main(): Promise<void> {
  let client: PGlite;
  try {
    client = await open();
  } catch (error) {
    reply({ kind: 'open-failed', error: serializeError(error) });
    port!.close();
    return;
  }
  let queue = Promise.resolve(true);
  port!.on('message', (request: PGliteWorkerRequest) => {
    queue = queue.then((open) => (open ? handle(client, request) : false)).then((open) => {
      if (!open) port!.close();
      return open;
    });
  });
  reply({ kind: 'ready' });
}

void main();
