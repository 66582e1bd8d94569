// A stand-in for pglite-worker.ts that opens "fine" and then dies on its first statement, so
// tests can watch the embedded store lose its worker (see pglite-worker-dialect.test.ts).
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (request) => {
  if (request.kind === 'open') parentPort.postMessage({ kind: 'done', id: request.id });
  else process.exit(3);
});
