import Fastify from 'fastify';

export interface BareRoute {
  /** `http://127.0.0.1:<port>`; every path answers `{ ok: true }` to GET and POST. */
  url: string;
  close(): Promise<void>;
}

/**
 * The floor of every HTTP benchmark: Fastify with no logger, no plugins and one route that
 * returns a constant. It answers GET and POST on any path, so a benchmark can send the very same
 * request (method, headers, JSON body) it sends to Perch and the ratio isolates Perch's own work.
 *
 * @example
 * ```ts
 * const floor = await startBareRoute();
 * const figures = await runAutocannon({ url: floor.url + '/v1/embed/tokens', method: 'POST', body });
 * await floor.close();
 * ```
 */
export async function startBareRoute(): Promise<BareRoute> {
  const app = Fastify({ logger: false });
  const constant = { ok: true } as const;
  app.route({ method: ['GET', 'POST'], url: '/*', handler: async () => constant });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url, close: () => app.close() };
}
