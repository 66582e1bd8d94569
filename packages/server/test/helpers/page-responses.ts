import type { Page } from 'playwright-core';

export interface RecordedResponse {
  url: string;
  status: number;
  method: string;
  body: string;
}

interface PageCopy {
  url: string;
  method: string;
  status: number;
  body: string;
  taken?: boolean;
}

/**
 * Record every response a page receives, with its body, for assertions such as "no other
 * tenant's canary anywhere on the wire".
 *
 * The browser does not always keep a copy of a body the page read as a stream (NDJSON tiles,
 * server-sent assistant answers), and a lost body would make such an assertion pass without
 * looking. So the page also keeps, for every `fetch`, the text of a clone of the response:
 * exactly what the component received. That copy is used whenever the browser's is gone.
 * Call before the page's first navigation.
 *
 * @example
 * ```ts
 * const recorder = await recordResponses(page);
 * await page.goto(url);
 * const bodies = (await recorder.settled()).map((r) => r.body).join('\n');
 * ```
 */
export async function recordResponses(page: Page): Promise<{ responses: RecordedResponse[]; settled(): Promise<RecordedResponse[]> }> {
  await page.addInitScript(() => {
    const w = window as unknown as { __perchBodies: PageCopy[] };
    w.__perchBodies = [];
    const original = window.fetch.bind(window);
    window.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await original(input, init);
      const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
      response
        .clone()
        .text()
        .then(
          (body) => void w.__perchBodies.push({ url: response.url, method, status: response.status, body }),
          () => undefined,
        );
      return response;
    };
  });
  // The oldest untaken copy of the same URL, method and status.
  const pageCopy = async (url: string, method: string, status: number): Promise<string> => {
    const handle = await page.waitForFunction(
      ([u, m, s]) => {
        const entry = (window as unknown as { __perchBodies: PageCopy[] }).__perchBodies.find((b) => b.url === u && b.method === m && b.status === s && !b.taken);
        if (!entry) return undefined;
        entry.taken = true;
        return entry.body;
      },
      [url, method, status] as const,
      { timeout: 10_000 },
    );
    return (await handle.jsonValue()) as string;
  };
  const responses: RecordedResponse[] = [];
  const pending: Array<Promise<void>> = [];
  page.on('response', (response) => {
    const entry = { url: response.url(), status: response.status(), method: response.request().method() };
    pending.push(
      response
        .text()
        .catch(() => (response.request().resourceType() === 'fetch' ? pageCopy(entry.url, entry.method, entry.status) : ''))
        .then(
          (body) => void responses.push({ ...entry, body }),
          () => void responses.push({ ...entry, body: '' }),
        ),
    );
  });
  return {
    responses,
    async settled() {
      await Promise.all(pending);
      return responses;
    },
  };
}
