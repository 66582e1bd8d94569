import type { FetchToken } from './embed-client.js';

export interface TokenProviderOptions {
  /**
   * How long a fetched token may be handed to a component that asks without holding it (another
   * component's first load). Keep it well under the token's TTL. Default 30 s.
   */
  reuseMs?: number;
}

/**
 * One token provider for every Perch component on a page, so the page mints one token instead of
 * one per component. Give the returned function to each component as `fetchToken`.
 *
 * Components call it with the token they hold (`{ current }`) when they refresh. A caller that
 * holds the token last fetched gets a new one (that token is the one that is expiring); a caller
 * holding nothing or an older token gets the last one while it is fresh. Concurrent callers share
 * one call to the host's function.
 *
 * @example
 * ```js
 * const fetchToken = Perch.createTokenProvider(() => fetch('/api/perch-token', { method: 'POST' }).then((r) => r.json()).then((b) => b.token));
 * document.querySelector('tc-dashboard').fetchToken = fetchToken;
 * document.querySelector('tc-ai-assistant').fetchToken = fetchToken;
 * ```
 */
export function createTokenProvider(fetchToken: () => Promise<string>, options: TokenProviderOptions = {}): FetchToken {
  const reuseMs = options.reuseMs ?? 30_000;
  let last: { token: string; at: number } | undefined;
  let pending: Promise<string> | undefined;
  return (context) => {
    const current = context?.current;
    if (last && last.token !== current && Date.now() - last.at < reuseMs) return Promise.resolve(last.token);
    pending ??= (async () => {
      try {
        const token = await fetchToken();
        last = { token, at: Date.now() };
        return token;
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}
