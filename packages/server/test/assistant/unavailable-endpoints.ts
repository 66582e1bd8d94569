/**
 * Model endpoints that cannot answer, on loopback: one that accepts connections and requests and
 * never replies, and an address where nothing listens (the connection is refused).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StallingEndpoint {
  baseUrl: string;
  /** Requests received so far (they are never answered). */
  received(): number;
  close(): Promise<void>;
}

export async function startStallingEndpoint(): Promise<StallingEndpoint> {
  const pending: ServerResponse[] = [];
  const server: Server = createServer((request, response) => {
    request.resume();
    pending.push(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received: () => pending.length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback URL whose port was just released: connecting to it is refused. */
export async function refusingEndpointUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
