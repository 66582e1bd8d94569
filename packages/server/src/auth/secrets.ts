import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `length` uniformly random base62 characters from the system CSPRNG. Bytes ≥ 248 are rejected
 * so that `byte % 62` has no modulo bias.
 */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/**
 * CSPRNG bytes for identifiers, drawn 4 KiB at a time: one `randomBytes` call per request (for
 * the request id) costs more than the rest of the id. Secrets (`randomBase62`) never use it.
 */
const ID_ENTROPY_BYTES = 4_096;
let idEntropy = Buffer.alloc(0);
let idEntropyOffset = 0;

function idByte(): number {
  if (idEntropyOffset >= idEntropy.length) {
    idEntropy = randomBytes(ID_ENTROPY_BYTES);
    idEntropyOffset = 0;
  }
  return idEntropy[idEntropyOffset++]!;
}

/**
 * A random identifier such as `key_9sD2…` (not a secret; safe to log): `length` uniformly random
 * base62 characters, with the same rejection of bytes ≥ 248 as `randomBase62`.
 */
export function randomId(prefix: string, length = 16): string {
  let out = `${prefix}_`;
  const end = out.length + length;
  while (out.length < end) {
    const byte = idByte();
    if (byte < 248) out += BASE62[byte % 62];
  }
  return out;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests of equal length. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
