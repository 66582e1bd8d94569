import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { clientDisconnectSignal, signalOf } from './client-signal.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A real server whose one route hands its deferred signal to `inspect`, at the moment chosen. */
async function serve(handle: (source: () => AbortSignal, response: { end(): void; gone: Promise<void> }) => Promise<void>): Promise<string> {
  app = Fastify({ logger: false });
  app.get('/x', async (_request, reply) => {
    const source = clientDisconnectSignal(reply);
    const gone = new Promise<void>((resolve) => reply.raw.once('close', () => resolve()));
    await handle(source, { end: () => void reply.send('done'), gone });
    return reply;
  });
  return app.listen({ host: '127.0.0.1', port: 0 });
}

/** Send GET /x and drop the connection after `dropAfterMs`, or read the answer when undefined. */
function call(url: string, dropAfterMs?: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/x`, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', () => resolve(undefined));
    req.end();
    if (dropAfterMs !== undefined) setTimeout(() => req.destroy(), dropAfterMs);
  });
}

describe('clientDisconnectSignal', () => {
  it('makes one signal, on first call, that fires when the client drops the connection', async () => {
    let seen: { same: boolean; before: boolean; after: boolean } | undefined;
    const url = await serve(async (source, response) => {
      const signal = source();
      const before = signal.aborted;
      await response.gone;
      seen = { same: source() === signal, before, after: signal.aborted };
    });
    await call(url, 50);
    await expect.poll(() => seen).toEqual({ same: true, before: false, after: true });
  });

  it('is already aborted when first asked for after the client left', async () => {
    let aborted: boolean | undefined;
    const url = await serve(async (source, response) => {
      await response.gone;
      aborted = source().aborted;
    });
    await call(url, 50);
    await expect.poll(() => aborted).toBe(true);
  });

  it('never fires for a response that was written in full', async () => {
    let signal: AbortSignal | undefined;
    const url = await serve(async (source, response) => {
      signal = source();
      response.end();
    });
    expect(await call(url)).toBe('done');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(signal?.aborted).toBe(false);
  });
});

describe('signalOf', () => {
  it('returns a signal as given and calls a deferred one', () => {
    const controller = new AbortController();
    expect(signalOf(controller.signal)).toBe(controller.signal);
    expect(signalOf(() => controller.signal)).toBe(controller.signal);
    expect(signalOf(undefined)).toBeUndefined();
  });
});
