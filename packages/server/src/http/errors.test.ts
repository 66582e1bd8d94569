import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode, PerchError } from '@perch/protocol';
import { toPerchError } from './errors.js';
import { startTestPerch, type TestPerch } from '../../test/helpers/test-perch.js';

/** An error as plugins raise them: a message and an HTTP status, no Perch code. */
function pluginError(statusCode: number, message = 'plugin says no'): Error {
  return Object.assign(new Error(message), { statusCode });
}

describe('toPerchError', () => {
  it.each([
    [400, 'invalid_request', 400],
    [403, 'resource_forbidden', 403],
    [404, 'not_found', 404],
    [405, 'method_not_allowed', 405],
    [406, 'invalid_request', 400],
    [412, 'invalid_request', 400],
    [413, 'body_too_large', 413],
    [415, 'unsupported_media_type', 415],
    [416, 'invalid_request', 400],
    [429, 'rate_limited', 429],
  ])('maps a plugin error with status %i to %s (%i)', (statusCode, code, status) => {
    const error = toPerchError(pluginError(statusCode));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    // The plugin's own words go to the log, never to the client.
    expect(error.message).not.toContain('plugin says no');
    expect(error.detail).toBe('plugin says no');
  });

  it('keeps a 500 for errors that are not the client\'s: no status, a 5xx status, or not an Error at all', () => {
    expect(toPerchError(new Error('boom')).code).toBe('internal_error');
    expect(toPerchError(pluginError(503)).code).toBe('internal_error');
    expect(toPerchError('a string').code).toBe('internal_error');
    expect(toPerchError(Object.assign(new Error('odd'), { statusCode: '404' })).code).toBe('internal_error');
  });

  it('passes a PerchError through unchanged', () => {
    const error = new PerchError('token_expired');
    expect(toPerchError(error)).toBe(error);
  });
});

describe('HTTP errors from Fastify and its plugins', () => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch('embedded');
  });
  afterAll(async () => perch?.close());

  const expectClientError = (response: { statusCode: number; body: string; json(): unknown }, status: number, code: string) => {
    expect(response.statusCode, response.body).toBe(status);
    const { error } = response.json() as { error: { code: string; message: string } };
    expect(error.code).toBe(code);
    expect(isErrorCode(error.code)).toBe(true);
    expect(response.body).not.toMatch(/\bat .+\.(js|ts):\d+/);
  };

  it.each([
    ['an If-Match that no version satisfies (412)', { 'if-match': '"not-this-one"' }],
    ['a range past the end of the file (416)', { range: 'bytes=99999999-' }],
  ])('answers a docs static file request with %s as a 4xx with a code, not a 500', async (_name, headers) => {
    const plain = await perch.app.inject({ method: 'GET', url: '/docs/static/index.css' });
    expect(plain.statusCode).toBe(200);
    const response = await perch.app.inject({ method: 'GET', url: '/docs/static/index.css', headers });
    expectClientError(response, 400, 'invalid_request');
  });

  const mint = (contentType: string, payload: string) =>
    perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { authorization: `Bearer ${perch.adminKey}`, 'content-type': contentType }, payload });

  it('answers a body over the size limit with 413 body_too_large', async () => {
    const oversized = JSON.stringify({ user: { distinctId: 'x'.repeat(perch.config.limits.bodyBytes), role: 'viewer' } });
    expectClientError(await mint('application/json', oversized), 413, 'body_too_large');
  });

  it('answers a body of an unsupported media type with 415 unsupported_media_type', async () => {
    expectClientError(await mint('text/xml', '<user/>'), 415, 'unsupported_media_type');
  });
});
