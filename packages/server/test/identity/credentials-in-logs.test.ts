/**
 * Credentials never reach the log, whatever the URL: a real embed token and a real API key are
 * sent in the path and the query string of every route group (API-key, embed, public and
 * operations, docs and their static files) and of unmatched paths, and in headers of requests
 * that fail; the log, captured at `trace` from Perch's own logger, must hold neither. The whole
 * Perch runs (query, dashboards, assistant, audit and embed-asset routes included), as
 * `perch start` runs it.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/context.js';
import { loadConfig } from '../../src/config.js';
import { startPerch, type RunningPerch } from '../../src/server.js';
import { embeddedTemplate } from '../helpers/stores.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { MODEL_DIR } from '../query/warehouse-fixture.js';

/** Every line Perch's logger writes, as text. */
class CapturedLog extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

interface Answer {
  status: number;
  body: string;
}

/** One request over a real socket, the URL sent byte for byte as given. */
function send(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, method, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The paths of every route group and of unmatched routes, each carrying `secret` in the path or the query string. */
function pathsCarrying(secret: string): Array<[method: string, path: string]> {
  return [
    // API-key routes (and with a parameter too long to route)
    ['GET', `/v1/api-keys?token=${secret}`],
    ['GET', `/v1/audit?cursor=${secret}&action=${secret}`],
    ['GET', `/v1/audit/export?x=${secret}`],
    ['POST', `/v1/access/explain?x=${secret}`],
    ['POST', `/v1/revocations?tokenId=${secret}`],
    ['GET', `/v1/api-keys/${secret}`],
    ['DELETE', `/v1/api-keys/${secret}`],
    ['POST', `/v1/api-keys/${secret}/rotate`],
    ['POST', `/v1/embed/tokens?key=${secret}`],
    ['GET', `/v1/workspace/origins/${secret}`],
    // Embed routes
    ['GET', `/v1/embed/${secret}`],
    ['GET', `/v1/dashboards/${secret}`],
    ['GET', `/v1/dashboards/${secret}/tiles`],
    ['POST', `/v1/dashboards/${secret}/filter-values?x=${secret}`],
    ['GET', `/v1/catalog?dataset=${secret}`],
    ['POST', `/v1/query?x=${secret}`],
    ['POST', `/v1/export?format=${secret}`],
    ['GET', `/v1/assistant/conversations/${secret}`],
    ['GET', `/v1/embed/session?token=${secret}`],
    ['GET', `/v1/embed/session?x=${secret}`],
    ['GET', `/v1/embed/session/${secret}`],
    ['OPTIONS', `/v1/embed/${secret}`],
    // Public and operations routes
    ['GET', `/healthz?x=${secret}`],
    ['GET', `/healthz/${secret}`],
    ['GET', `/readyz?token=${secret}`],
    ['GET', `/metrics/${secret}`],
    // The embed bundle's files, and the docs and their static files
    ['GET', `/embed/${secret}`],
    ['GET', `/embed/${secret}.js`],
    ['GET', `/embed/perch.js?v=${secret}`],
    ['GET', `/docs/${secret}`],
    ['GET', `/docs/static/${secret}`],
    ['GET', `/docs/static/${secret}.css`],
    ['GET', `/docs/json?x=${secret}`],
    ['GET', `/docs/static/index.css?x=${secret}`],
    // Unmatched paths, and a path that is not valid percent-encoding
    ['GET', `/${secret}`],
    ['POST', `/nowhere/${secret}?again=${secret}`],
    ['GET', `/v1/api-keys/%E0%A4%A${secret}`],
    ['DELETE', `/v1/api-keys/%E0%A4%A${secret}`],
    ['DELETE', `/v1/api-keys/${'a'.repeat(120)}${secret}`],
    ['GET', `/v1/embed/%zz${secret}?t=${secret}`],
  ];
}

describe('credentials in URLs and headers never reach the log', () => {
  const log = new CapturedLog();
  const dir = mkdtempSync(join(tmpdir(), 'perch-logs-'));
  let perch: RunningPerch;
  let base: string;
  let token: string;
  let apiKey: string;

  beforeAll(async () => {
    cpSync(await embeddedTemplate(), join(dir, 'data'), { recursive: true });
    const config = loadConfig({
      env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
      cwd: dir,
      overrides: { logLevel: 'trace', modelDir: MODEL_DIR, dataDir: 'data', warehouse: { type: 'duckdb', path: 'data/warehouse.duckdb', demo: true, demoOrders: 1_000 } },
    });
    perch = await startPerch({ config, port: 0, overrides: { logger: createLogger(config, log) } });
    base = perch.url;
    const post = async (path: string, body: unknown) => {
      const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(answer.status).toBe(201);
      return answer.json() as Promise<Record<string, unknown>>;
    };
    token = String((await post('/v1/embed/tokens', { user: { distinctId: 'alice', role: 'explorer', attributes: { customerId: 'acme', department: 'finance' } }, scope: { dashboards: '*', assistant: true } })).token);
    // A second, real key that authenticates, besides the bootstrap key.
    apiKey = String((await post('/v1/api-keys', { name: 'logged', env: 'live', scopes: ['admin'] })).key);
  }, 180_000);
  afterAll(async () => {
    await perch?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The token and key, and the parts of each that are secret on their own. */
  const secrets = () => [token, ...token.split('.').filter((part) => part.length > 20), apiKey, apiKey.slice('pk_live_'.length), TEST_ADMIN_KEY];

  const expectNoSecretInLog = () => {
    for (const secret of secrets()) expect(log.text).not.toContain(secret);
  };

  it.each([
    ['an embed token', () => token],
    ['an API key', () => apiKey],
  ])('%s in the path or query of every route group and of unmatched routes', async (_name, secretOf) => {
    const before = log.lines().length;
    const answers: Array<[string, number]> = [];
    // Without a credential, and with each kind of valid one, so that the requests get past
    // authentication into the routes, whose refusals name what they refuse.
    const credentials: Array<Record<string, string>> = [{}, { authorization: `Bearer ${TEST_ADMIN_KEY}` }, { authorization: `Bearer ${token}` }];
    for (const headers of credentials) {
      for (const [method, path] of pathsCarrying(secretOf())) answers.push([`${method} ${path.slice(0, 30)} ${Object.keys(headers).length}`, (await send(base, method, path, headers)).status]);
    }
    // Never a 500 (the public routes ignore a query string they do not know, and answer 200).
    for (const [request, status] of answers) expect(status, request).toBeLessThan(500);
    // Every request was logged (so the log was looked at, not empty), and the secret appears nowhere.
    expect(log.lines().length - before).toBeGreaterThanOrEqual(answers.length);
    expectNoSecretInLog();
  });

  it('on routes that authenticate, with the credential also in a header', async () => {
    const cases: Array<[string, string, Record<string, string>]> = [
      ['GET', `/v1/api-keys?key=${apiKey}`, { authorization: `Bearer ${apiKey}` }],
      ['GET', `/v1/api-keys/${token}`, { 'x-api-key': apiKey }],
      ['GET', `/v1/embed/session?token=${token}`, { authorization: `Bearer ${token}`, origin: 'https://elsewhere.example' }],
      ['GET', `/v1/embed/${apiKey}`, { authorization: `Bearer ${token}` }],
      ['GET', `/v1/embed/session`, { authorization: `Bearer ${apiKey}` }],
      ['GET', `/v1/embed/session`, { authorization: `Bearer ${token}x` }],
      ['GET', `/healthz/${token}`, { authorization: `Bearer ${token}`, cookie: `perch=${apiKey}` }],
    ];
    for (const [method, path, headers] of cases) {
      const answer = await send(base, method, path, headers);
      expect(answer.status, `${method} ${path.slice(0, 30)}`).toBeLessThan(500);
    }
    expectNoSecretInLog();
  });

  it('a URL too large for the server (a client error before any route), at trace level', async () => {
    const huge = `/v1/embed/${token}?key=${apiKey}&pad=${'x'.repeat(20_000)}`;
    const answer = await send(base, 'GET', huge, { authorization: `Bearer ${token}` });
    expect(answer.status).toBe(431);
    // Node's error for it is logged at trace, without the raw request bytes it carries.
    const clientError = log.lines().find((line) => line.msg === 'client header_overflow');
    expect(clientError).toMatchObject({ err: { code: 'HPE_HEADER_OVERFLOW' } });
    expect(log.text).not.toContain('rawPacket');
    expectNoSecretInLog();
  });

  it('answers a path Fastify cannot route (414, 400) like any refusal: code, request id, security headers', async () => {
    const tooLong = await perch.app.inject({ method: 'DELETE', url: `/v1/api-keys/${'a'.repeat(120)}${token}` });
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.json()).toEqual({ error: { code: 'uri_too_long', message: 'The URL is too long.', requestId: tooLong.headers['x-request-id'] } });
    expect(tooLong.headers['x-content-type-options']).toBe('nosniff');
    const badUrl = await perch.app.inject({ method: 'DELETE', url: `/v1/api-keys/%E0%A4%A${apiKey}` });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.code).toBe('invalid_request');
    expect(badUrl.headers['x-request-id']).toMatch(/^req_/);
    for (const answer of [tooLong, badUrl]) {
      expect(answer.body).not.toContain(token);
      expect(answer.body).not.toContain(apiKey);
    }
    const refused = log.lines().filter((line) => line.msg === 'request refused' && (line.requestId === tooLong.headers['x-request-id'] || line.requestId === badUrl.headers['x-request-id']));
    expect(refused).toMatchObject([
      { code: 'uri_too_long', reason: 'FST_ERR_MAX_PARAM_LENGTH', status: 414, route: 'unrouted' },
      { code: 'invalid_request', reason: 'FST_ERR_BAD_URL', status: 400, route: 'unrouted', path: '/v1/api-keys/%E0%A4%A[redacted]' },
    ]);
    expectNoSecretInLog();
  });

  it('in error messages, stacks, nested fields and child-logger bindings', async () => {
    const failure = new Error(`upstream refused ${token} for ${apiKey}`);
    perch.ctx.logger.child({ requestId: 'req_child', url: `/v1/embed/${token}` }).error({ err: failure, detail: { path: `/x?key=${apiKey}`, list: [token] } }, `failed on ${token}`);
    perch.ctx.logger.error(new Error(`bare ${apiKey}`));
    const lines = log.lines().slice(-2);
    expect(lines[0]).toMatchObject({ requestId: 'req_child', url: '/v1/embed/[redacted]', msg: 'failed on [redacted]', err: { message: 'upstream refused [redacted] for [redacted]' }, detail: { path: '/x?key=[redacted]', list: ['[redacted]'] } });
    expect(String((lines[0]!.err as { stack: string }).stack)).toContain('upstream refused [redacted]');
    expect(lines[1]).toMatchObject({ msg: 'bare [redacted]' });
    expectNoSecretInLog();
  });

  it('keeps the rest of the request line, with the credential replaced', async () => {
    await send(base, 'GET', `/v1/embed/${token}`);
    const line = log.lines().findLast((entry) => entry.msg === 'request');
    expect(line).toMatchObject({ route: 'unmatched', status: 404, path: '/v1/embed/[redacted]' });
  });
});
