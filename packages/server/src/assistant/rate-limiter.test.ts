import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { QuestionRateLimiter } from './rate-limiter.js';

describe('QuestionRateLimiter', () => {
  it('allows N questions a minute per key, then refuses with a retry hint until the window moves', () => {
    let now = 0;
    const limiter = new QuestionRateLimiter(2, () => now);
    limiter.take('a');
    limiter.take('a');
    limiter.take('b');
    let refusal: unknown;
    try {
      limiter.take('a');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(PerchError);
    expect(refusal).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
    now = 60_001;
    expect(() => limiter.take('a')).not.toThrow();
  });
});
