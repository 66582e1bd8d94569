import autocannon from 'autocannon';

export interface HttpLoad {
  /** Must be a loopback URL: a benchmark never sends load to another machine. */
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Concurrent connections (default 10). */
  connections?: number;
  /** Measured seconds, 1–120 (default 10). */
  durationSeconds?: number;
  /** Unmeasured seconds before, on the same connections, to warm the JIT (default 2; 0 = none). */
  warmupSeconds?: number;
  /** Status codes outside 2xx that this scenario expects (e.g. 429 in a rate-limit test). */
  expectedNon2xx?: boolean;
  /** Replace `[<id>]` in the body with a unique id per request (autocannon's `idReplacement`), e.g. to defeat caches. */
  idReplacement?: boolean;
}

export interface HttpFigures {
  requestsPerSecond: number;
  /** Latencies in whole milliseconds (autocannon's resolution). */
  p50Ms: number;
  p975Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export class BenchRunError extends Error {
  override readonly name = 'BenchRunError';
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Put HTTP load on a loopback server with autocannon and return throughput and latency.
 *
 * The client runs in a worker thread so it does not share the event loop of an in-process
 * server under test. The run fails (throws) on any non-2xx answer or connection error unless
 * `expectedNon2xx` is set: a benchmark that is quietly measuring 401s or 429s measures nothing.
 *
 * @example
 * ```ts
 * const { requestsPerSecond, p99Ms } = await runAutocannon({ url: 'http://127.0.0.1:4100/healthz', durationSeconds: 5 });
 * ```
 */
export async function runAutocannon(load: HttpLoad): Promise<HttpFigures> {
  const url = new URL(load.url);
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) throw new BenchRunError(`refusing to load ${url.origin}: benchmarks target loopback only`);
  const durationSeconds = load.durationSeconds ?? 10;
  if (!(durationSeconds >= 1 && durationSeconds <= 120)) throw new BenchRunError('durationSeconds must be between 1 and 120');
  const connections = load.connections ?? 10;
  const warmupSeconds = load.warmupSeconds ?? 2;
  const request = {
    url: url.href,
    method: load.method ?? 'GET',
    headers: load.headers ?? {},
    ...(load.body === undefined ? {} : { body: load.body }),
    ...(load.idReplacement ? { idReplacement: true } : {}),
    connections,
    workers: 1,
    timeout: 10,
  };
  if (warmupSeconds > 0) await autocannon({ ...request, duration: warmupSeconds });
  const result = await autocannon({ ...request, duration: durationSeconds });
  const figures: HttpFigures = {
    requestsPerSecond: result.requests.total / durationSeconds,
    p50Ms: result.latency.p50,
    p975Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
  if (figures.requests === 0) throw new BenchRunError(`${request.method} ${url.pathname}: no request completed`);
  if (figures.errors > 0) throw new BenchRunError(`${request.method} ${url.pathname}: ${figures.errors} connection errors or timeouts`);
  if (figures.non2xx > 0 && !load.expectedNon2xx) {
    throw new BenchRunError(`${request.method} ${url.pathname}: ${figures.non2xx} of ${figures.requests} responses were not 2xx`);
  }
  return figures;
}

/**
 * Pool several runs of one scenario into one figure: requests and errors add up, throughput and
 * latencies are the plain means of the runs. Used to cancel drift on a shared machine by running
 * two scenarios in the order A, B, B, A and comparing the pooled figures.
 *
 * @example
 * ```ts
 * const raw = poolRuns([rawBefore, rawAfter]);
 * ```
 */
export function poolRuns(runs: readonly HttpFigures[]): HttpFigures {
  if (runs.length === 0) throw new BenchRunError('poolRuns needs at least one run');
  const mean = (pick: (f: HttpFigures) => number) => runs.reduce((sum, f) => sum + pick(f), 0) / runs.length;
  const sum = (pick: (f: HttpFigures) => number) => runs.reduce((total, f) => total + pick(f), 0);
  return {
    requestsPerSecond: mean((f) => f.requestsPerSecond),
    p50Ms: mean((f) => f.p50Ms),
    p975Ms: mean((f) => f.p975Ms),
    p99Ms: mean((f) => f.p99Ms),
    meanMs: mean((f) => f.meanMs),
    requests: sum((f) => f.requests),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
  };
}
