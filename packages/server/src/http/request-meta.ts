import type { FastifyRequest } from 'fastify';

export interface RequestMeta {
  requestId: string;
  origin: string | null;
  ip: string;
  userAgent: string | null;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  return {
    requestId: request.id,
    origin: header(request, 'origin') ?? null,
    ip: request.ip,
    userAgent: header(request, 'user-agent')?.slice(0, 512) ?? null,
  };
}

export function readHeader(request: FastifyRequest, name: string): string | undefined {
  return header(request, name);
}
