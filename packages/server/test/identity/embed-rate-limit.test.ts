import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';
import { mint, session } from './token-fixtures.js';

describe('embed rate limit', () => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch('embedded', { overrides: { limits: { tokenRatePerMinute: 3, apiKeyRatePerMinute: 1_000 } } });
  });
  afterAll(async () => perch?.close());

  it('allows the limit per token without x-ratelimit-* headers, then answers 429 with Retry-After and x-ratelimit-*', async () => {
    const { token } = await mint(perch);
    const allowed = [await session(perch, token), await session(perch, token), await session(perch, token)];
    for (const answer of allowed) {
      expect(answer.statusCode).toBe(200);
      expect(answer.headers['x-ratelimit-remaining']).toBeUndefined();
    }
    const limited = await session(perch, token);
    expect(limited.statusCode).toBe(429);
    expect(JSON.parse(limited.body).error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    // Another token has its own bucket.
    expect((await session(perch, (await mint(perch)).token)).statusCode).toBe(200);
  });
});
