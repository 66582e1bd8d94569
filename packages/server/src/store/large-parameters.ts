import type { SerializerOptions } from '@electric-sql/pglite';

type Serializer = SerializerOptions[number];

/** String parameters at least this long (UTF-16 code units) travel to PGlite in binary format. */
export const BINARY_PARAMETER_CHARS = 16_384;

const TEXT_OID = 25;
const JSON_OID = 114;
const JSONB_OID = 3802;
/** jsonb's binary input format is a version byte (1) followed by the JSON text. */
const JSONB_BINARY_VERSION = 1;

/**
 * Serializers that send long string parameters of type text, json and jsonb in PostgreSQL's
 * binary format (their UTF-8 bytes), and everything else as `defaults` would.
 *
 * Why: in text format, PGlite's protocol writer measures every string's UTF-8 length with a
 * JavaScript loop over each character before copying it. The audit journal's ingestion binds
 * one JSON document of up to 2,000 events (about 1.7 MB), and that loop was a third of the
 * worker's time spent moving it. Node's native encoder does the same in a fraction, and a
 * binary parameter reaches the server as the same bytes: `text` and `json` read them as text,
 * `jsonb` after its version byte. Short strings keep the text path, where the loop is cheap.
 *
 * @example
 * ```ts
 * const serializers = largeParameterSerializers(pglite.serializers);
 * await pglite.query('select jsonb_array_length($1::jsonb)', [document], { serializers });
 * ```
 */
export function largeParameterSerializers(defaults: Readonly<SerializerOptions>): SerializerOptions {
  const asBytes = (oid: number, version?: number): Serializer => {
    const fallback = defaults[oid] ?? ((value: unknown) => String(value));
    return (value: unknown) => {
      if (typeof value !== 'string' || value.length < BINARY_PARAMETER_CHARS) return fallback(value);
      const prefix = version === undefined ? 0 : 1;
      const bytes = Buffer.allocUnsafe(prefix + Buffer.byteLength(value, 'utf8'));
      if (version !== undefined) bytes[0] = version;
      bytes.write(value, prefix, 'utf8');
      // A Uint8Array value is bound in binary format (see PGlite's protocol writer); the
      // declared return type is the text path's.
      return bytes as unknown as string;
    };
  };
  return { [TEXT_OID]: asBytes(TEXT_OID), [JSON_OID]: asBytes(JSON_OID), [JSONB_OID]: asBytes(JSONB_OID, JSONB_BINARY_VERSION) };
}
