import { randomBytes } from 'node:crypto';

/**
 * The host app's own login sessions: random ids in memory, in an HttpOnly, SameSite=Strict
 * cookie. This is the host's business — Perch itself never uses cookies.
 */
export class SessionStore {
  readonly #sessions = new Map<string, { userId: string; expiresAt: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 8 * 60 * 60 * 1000) {
    this.#ttlMs = ttlMs;
  }

  create(userId: string): string {
    const id = randomBytes(32).toString('base64url');
    this.#sessions.set(id, { userId, expiresAt: Date.now() + this.#ttlMs });
    return id;
  }

  userIdOf(id: string | undefined): string | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt < Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session.userId;
  }

  destroy(id: string | undefined): void {
    if (id) this.#sessions.delete(id);
  }
}

export const SESSION_COOKIE = 'demo_session';

/** Read one cookie value from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0 && part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return undefined;
}

export function sessionCookie(id: string, maxAgeSeconds: number): string {
  return `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
}
