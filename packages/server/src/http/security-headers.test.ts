import { describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';
import { PERCH_HELMET_OPTIONS, securityHeaders } from './security-headers.js';

/** What helmet's own middleware sets on a real Node response, for comparison. */
async function headersFromRealResponse(options: HelmetOptions): Promise<Record<string, string>> {
  const middleware = helmet(options);
  const server: Server = createServer((request, response) => {
    response.setHeader('x-powered-by', 'something');
    middleware(request, response, () => response.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return headers;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Headers every Node response has, whoever sets the security headers. */
const TRANSPORT = new Set(['connection', 'content-length', 'date', 'keep-alive', 'transfer-encoding']);

describe('securityHeaders', () => {
  it.each<[string, HelmetOptions]>([
    ['the defaults without CSP', { contentSecurityPolicy: false }],
    ["Perch's options", PERCH_HELMET_OPTIONS],
    ['a constant CSP and a longer HSTS', { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"] } }, strictTransportSecurity: { maxAge: 63_072_000 } }],
  ])('equals what helmet sets on a real response: %s', async (_label, options) => {
    const real = await headersFromRealResponse(options);
    const expected = Object.fromEntries(Object.entries(real).filter(([name]) => !TRANSPORT.has(name)));
    expect(securityHeaders(options)).toEqual(expected);
    expect(expected['x-content-type-options']).toBe('nosniff');
    expect(expected['x-powered-by']).toBeUndefined();
  });

  it("Perch's answers carry the headers that act on what Perch serves, and none that act only on HTML documents", () => {
    expect(Object.keys(securityHeaders(PERCH_HELMET_OPTIONS)).sort()).toEqual(['cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options']);
    expect(securityHeaders(PERCH_HELMET_OPTIONS)['cross-origin-resource-policy']).toBe('cross-origin');
  });

  it('is frozen, so a route cannot change the headers of every later response', () => {
    const headers = securityHeaders({ contentSecurityPolicy: false });
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it('refuses CSP directives computed per request', () => {
    const nonce = (_request: unknown, _response: unknown) => "'nonce-abc'";
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonce] } } })).toThrow(/constants/);
  });
});
