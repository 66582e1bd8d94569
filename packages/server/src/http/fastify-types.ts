import type { AuthenticatedApiKey } from '../auth/api-keys.js';
import type { VerifiedEmbedToken } from '../auth/token-verify.js';
import type { AuditAction } from '../audit/audit-event.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API-key hook on API-key routes. */
    apiKey?: AuthenticatedApiKey;
    /** Set by the embed-token hook on embed routes. */
    embed?: VerifiedEmbedToken;
    /** True once the route recorded its own audit event, so the error path does not record twice. */
    audited?: boolean;
  }
  interface FastifyContextConfig {
    /** The audit action every route must declare; the route-table test enforces it. */
    audit?: AuditAction;
    /** Minimum API-key scope (API-key routes). */
    scope?: 'tokens:create' | 'admin';
  }
}

export {};
