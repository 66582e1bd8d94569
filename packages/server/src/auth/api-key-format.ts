import { randomBase62, sha256Hex } from './secrets.js';
import type { ApiKeyEnvironment } from '../store/schema.js';

/** 43 base62 characters carry 256 bits, above the 32 random bytes DESIGN.md asks for. */
const SECRET_LENGTH = 43;
const API_KEY_PATTERN = /^pk_(live|test)_[0-9A-Za-z]{43,128}$/;
const DISPLAY_PREFIX_LENGTH = 12;
/**
 * Text shaped like an API key anywhere in a string, for the log scrub
 * (`logging/credential-scrub.ts`); a run longer than a key is taken whole. A 12-character display
 * prefix (`pk_live_AbCd`) is not a key and stays readable.
 */
export const API_KEY_SHAPE = 'pk_(?:live|test)_[0-9A-Za-z]{43,}';

export interface ParsedApiKey {
  env: ApiKeyEnvironment;
  hash: string;
  prefix: string;
}

export function generateApiKey(env: ApiKeyEnvironment): string {
  return `pk_${env}_${randomBase62(SECRET_LENGTH)}`;
}

/** Parse a presented key. Returns undefined when it is not shaped like a Perch key at all. */
export function parseApiKey(value: string): ParsedApiKey | undefined {
  const match = API_KEY_PATTERN.exec(value);
  if (!match) return undefined;
  return { env: match[1] as ApiKeyEnvironment, hash: sha256Hex(value), prefix: value.slice(0, DISPLAY_PREFIX_LENGTH) };
}

export function isWellFormedApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}
