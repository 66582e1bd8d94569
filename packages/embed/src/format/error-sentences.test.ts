import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@perch/protocol';
import { errorSentence, isRetryable } from './error-sentences.js';

describe('errorSentence', () => {
  it('tells a user refused by access rules, a tenant route included, that they have no access, and offers no retry', () => {
    for (const code of ['member_forbidden', 'rls_attribute_missing', 'rls_attribute_invalid', 'tenant_route_invalid'] as const) {
      expect(errorSentence(code)).toBe('You do not have access to this data.');
      expect(isRetryable(code)).toBe(false);
    }
  });

  it('gives every code a sentence without the code in it, so no end user reads a code', () => {
    for (const code of ERROR_CODES) {
      const sentence = errorSentence(code);
      expect(sentence).toMatch(/^[A-Z].*\.$/);
      expect(sentence).not.toContain(code);
    }
  });

  it('lets a user retry what can pass on a second try', () => {
    expect(isRetryable('query_timeout')).toBe(true);
    expect(isRetryable('datasource_unavailable')).toBe(true);
  });
});
