import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../auth/api-key-format.js';
import { scrubCredentials } from './credential-scrub.js';

/** The shape of a real token: header, empty key, 16-character IV, ciphertext, 22-character tag. */
const TOKEN = 'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwia2lkIjoidGtfMSJ9..YiDG2JyS9qsFBST6.0dQschSgDrAh3hdJxi8g8dBgz_aPO7MUTbky.zh10mb6K4kj6n05a9L_CQA';

describe('scrubCredentials', () => {
  it('replaces embed tokens and API keys wherever they stand', () => {
    const key = generateApiKey('live');
    const text = `Route GET:/v1/embed/${TOKEN}?k=${key}&again=${TOKEN} not found; x${key}y`;
    const scrubbed = scrubCredentials(text);
    expect(scrubbed).toBe('Route GET:/v1/embed/[redacted]?k=[redacted]&again=[redacted] not found; x[redacted]');
    expect(scrubbed).not.toContain(key.slice(8));
  });

  it('takes a token glued to other base64url characters whole', () => {
    expect(scrubCredentials(`/v1/api-keys/${'a'.repeat(120)}${TOKEN}/rotate`)).toBe('/v1/api-keys/[redacted]/rotate');
  });

  it('leaves ordinary text alone: display prefixes, request ids, hostnames, versions, file names', () => {
    for (const text of [
      'created the first admin API key from PERCH_BOOTSTRAP_API_KEY pk_live_AbCd',
      'req_fDKwhGEuPNOGAoyglzrA',
      'connect ECONNREFUSED db.internal.example.co.uk:5432',
      'perch.ZRZOOBLG.js at /work/node_modules/fastify/lib/route.js:623',
      '1.22.333.4444.55555',
      `${'x'.repeat(20_000)}.${'y'.repeat(5)}`,
    ]) {
      expect(scrubCredentials(text)).toBe(text);
    }
  });
});
