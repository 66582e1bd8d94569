import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { BenchRunError, poolRuns, runAutocannon, type HttpFigures } from './autocannon-runner.js';
import { startBareRoute, type BareRoute } from './bare-route.js';

let floor: BareRoute;
let limited: FastifyInstance;
let limitedUrl: string;

beforeAll(async () => {
  floor = await startBareRoute();
  // A server that always refuses, to prove the runner does not report refusals as throughput.
  limited = Fastify({ logger: false });
  limited.get('/*', async (_request, reply) => reply.status(429).send({ error: 'rate_limited' }));
  limitedUrl = await limited.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await floor.close();
  await limited.close();
});

describe('runAutocannon', () => {
  it('measures the bare route: throughput, ordered latency percentiles, no refusals', async () => {
    const figures = await runAutocannon({
      url: `${floor.url}/v1/embed/tokens`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"user":{"distinctId":"a"}}',
      connections: 4,
      durationSeconds: 1,
      warmupSeconds: 0,
    });
    expect(figures.requests).toBeGreaterThan(50);
    expect(figures.requestsPerSecond).toBe(figures.requests);
    expect(figures.non2xx).toBe(0);
    expect(figures.p50Ms).toBeLessThanOrEqual(figures.p975Ms);
    expect(figures.p975Ms).toBeLessThanOrEqual(figures.p99Ms);
  });

  it('fails the run on non-2xx answers unless they are expected', async () => {
    const load = { url: `${limitedUrl}/x`, connections: 2, durationSeconds: 1, warmupSeconds: 0 };
    await expect(runAutocannon(load)).rejects.toThrow(/not 2xx/);
    const figures = await runAutocannon({ ...load, expectedNon2xx: true });
    expect(figures.non2xx).toBe(figures.requests);
    expect(figures.non2xx).toBeGreaterThan(0);
  });

  it('refuses anything but loopback and unbounded durations', async () => {
    await expect(runAutocannon({ url: 'http://example.com/' })).rejects.toThrow(BenchRunError);
    await expect(runAutocannon({ url: 'http://10.0.0.1:4100/' })).rejects.toThrow(/loopback only/);
    await expect(runAutocannon({ url: `${floor.url}/`, durationSeconds: 0 })).rejects.toThrow(/durationSeconds/);
    await expect(runAutocannon({ url: `${floor.url}/`, durationSeconds: 3600 })).rejects.toThrow(/durationSeconds/);
  });
});

describe('poolRuns', () => {
  const run = (rps: number, mean: number, requests: number): HttpFigures => ({ requestsPerSecond: rps, p50Ms: mean, p975Ms: mean * 2, p99Ms: mean * 3, meanMs: mean, requests, non2xx: 0, errors: 0 });

  it('averages throughput and latency, and adds up requests', () => {
    const pooled = poolRuns([run(10, 100, 50), run(30, 300, 150)]);
    expect(pooled).toMatchObject({ requestsPerSecond: 20, meanMs: 200, p50Ms: 200, p99Ms: 600, requests: 200 });
  });

  it('refuses an empty list', () => {
    expect(() => poolRuns([])).toThrow(BenchRunError);
  });
});
