import pino, { type LoggerOptions } from 'pino';
import { REDACTED, scrubCredentials } from './credential-scrub.js';

/** Fields that hold credentials by name, wherever a header map is logged. */
const CREDENTIAL_FIELDS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers.cookie',
  'authorization',
  'token',
  'key',
  'apiKey',
  '*.token',
  '*.key',
  '*.apiKey',
];

/**
 * pino's standard error serializer, without `rawPacket`: Node attaches the raw bytes of a
 * request it could not parse (request line and headers, credentials included) to the error
 * that Fastify logs for it. They are serialized as numbers, so the line scrub cannot see them.
 */
function errorWithoutRawPacket(error: unknown): unknown {
  // The standard serializer passes anything but an error through unchanged.
  const serialized: unknown = pino.stdSerializers.err(error as Error);
  if (typeof serialized !== 'object' || serialized === null) return serialized;
  const { rawPacket: _rawPacket, ...rest } = serialized as Record<string, unknown>;
  return rest;
}

/**
 * The logger options that keep credentials out of every log line, in three layers:
 *
 * 1. **Redaction** of the fields that hold credentials by name (headers, `token`, `key`), whatever
 *    their value looks like: a damaged or foreign credential has no recognisable shape.
 * 2. **Serializers**: errors lose Node's raw request bytes (see {@link errorWithoutRawPacket}).
 * 3. **A pattern scrub of every finished line** (`hooks.streamWrite`): anything shaped like an
 *    embed token or an API key becomes `[redacted]`, in any field or message.
 *
 * Why the third layer, on the whole line: a URL is the client's to choose, and it reaches the
 * log through strings that Perch does not write and whose field names it does not know:
 * Fastify's "Route GET:/v1/embed/… not found", a plugin's error message, a refusal's detail,
 * child-logger bindings. Redaction by field name cannot see inside them; the finished line is
 * the one place every one of them passes. Base64url, dots and the key alphabet are never
 * escaped in JSON, so a credential appears in the line exactly as sent. The scrub is linear
 * and runs only for lines that are written.
 */
export function credentialSafeLoggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: CREDENTIAL_FIELDS, censor: REDACTED },
    serializers: { err: errorWithoutRawPacket },
    hooks: { streamWrite: scrubCredentials },
  };
}
