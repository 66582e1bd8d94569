import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import { createPerchClient, PerchApiError } from '@perch/node';
import { appScript, dashboardPage, loginPage } from './html.js';
import { SESSION_COOKIE, SessionStore, readCookie, sessionCookie } from './sessions.js';
import { DEMO_USERS, findDemoUser, type DemoUser } from './users.js';

export { DEMO_USERS, type DemoUser } from './users.js';
export { escapeHtml } from './html.js';

export interface DemoHostOptions {
  /** Port to listen on; 0 picks a free one. Default 3000. */
  port?: number;
  /** Interface to bind. Default 127.0.0.1. */
  host?: string;
  /** Perch base URL, e.g. `http://127.0.0.1:4100`. Default `PERCH_URL` or that. */
  perchUrl?: string;
  /** Perch API key used server-side to mint tokens. Default `PERCH_API_KEY`. */
  apiKey?: string;
  /** Token lifetime in seconds. Default 600. */
  ttlSeconds?: number;
}

export interface DemoHost {
  url: string;
  close(): Promise<void>;
}

const SESSION_SECONDS = 8 * 60 * 60;

/**
 * Start the demo host application: a login page with demo users of several tenants, a page
 * embedding `<tc-dashboard dashboard="sales">`, and `POST /api/perch-token`, which mints an
 * embed token with `@perch/node` for the signed-in user. The API key stays in this process.
 *
 * @example
 * const host = await startDemoHost({ port: 3000, perchUrl: 'http://127.0.0.1:4100', apiKey: process.env.PERCH_API_KEY });
 * console.log(host.url);
 */
export async function startDemoHost(options: DemoHostOptions = {}): Promise<DemoHost> {
  const perchUrl = (options.perchUrl ?? process.env.PERCH_URL ?? 'http://127.0.0.1:4100').replace(/\/+$/, '');
  const apiKey = options.apiKey ?? process.env.PERCH_API_KEY;
  if (!apiKey) throw new Error('startDemoHost: set apiKey (or PERCH_API_KEY) to a Perch API key.');
  const perch = createPerchClient({ apiKey, baseUrl: perchUrl });
  const perchOrigin = new URL(perchUrl).origin;
  const sessions = new SessionStore(SESSION_SECONDS * 1000);
  const app = Fastify({ logger: false });
  let origins: string[] = [];

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.addHook('onSend', async (_request, reply) => {
    // The host's own CSP: scripts and API calls only from itself and Perch; nobody may frame it.
    reply.header(
      'content-security-policy',
      `default-src 'self'; script-src 'self' ${perchOrigin}; connect-src 'self' ${perchOrigin}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`,
    );
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
  });

  const currentUser = (request: FastifyRequest): DemoUser | undefined =>
    findDemoUser(sessions.userIdOf(readCookie(request.headers.cookie, SESSION_COOKIE)));

  const sendHtml = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.get('/', (request, reply) => (currentUser(request) ? reply.redirect('/dashboard', 303) : sendHtml(reply, loginPage(DEMO_USERS))));

  app.post<{ Body: { user?: unknown } | undefined }>('/login', (request, reply) => {
    const user = findDemoUser(request.body?.user);
    if (!user) return sendHtml(reply, loginPage(DEMO_USERS, 'Unknown demo user.'), 400);
    return reply.header('set-cookie', sessionCookie(sessions.create(user.id), SESSION_SECONDS)).redirect('/dashboard', 303);
  });

  app.post('/logout', (request, reply) => {
    sessions.destroy(readCookie(request.headers.cookie, SESSION_COOKIE));
    return reply.header('set-cookie', sessionCookie('', 0)).redirect('/', 303);
  });

  app.get('/dashboard', (request, reply) => {
    const user = currentUser(request);
    if (!user) return reply.redirect('/', 303);
    return sendHtml(reply, dashboardPage(user, perchUrl));
  });

  app.get('/app.js', (_request, reply) => reply.type('text/javascript; charset=utf-8').send(appScript(perchUrl)));

  app.post('/api/perch-token', async (request, reply) => {
    const user = currentUser(request);
    if (!user) return reply.code(401).send({ error: 'Sign in first.' });
    try {
      const minted = await perch.createEmbedToken({
        user: { distinctId: user.id, role: user.role, attributes: user.attributes },
        // Makers and admins may save dashboards of their own, under ids chosen as they save them.
        scope: { dashboards: user.role === 'maker' || user.role === 'admin' ? '*' : ['sales'], assistant: user.role !== 'viewer' },
        ttlSeconds: options.ttlSeconds ?? 600,
        // Bind the token to this app's pages, so a leaked token is useless elsewhere.
        origins,
      });
      // Only the token and its expiry go to the browser: never the API key, never attributes.
      return { token: minted.token, expiresAt: minted.expiresAt };
    } catch (error) {
      const code = error instanceof PerchApiError ? error.code : 'internal_error';
      request.log.warn({ code }, 'Perch token request failed');
      return reply.code(502).send({ error: `Perch refused the token request (${code}).` });
    }
  });

  const address = await app.listen({ port: options.port ?? 3000, host: options.host ?? '127.0.0.1' });
  const url = new URL(address);
  origins = [url.origin];
  if (url.hostname === '127.0.0.1') origins.push(`${url.protocol}//localhost:${url.port}`);
  return { url: address, close: () => app.close() };
}
