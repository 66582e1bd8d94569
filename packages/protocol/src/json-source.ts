import { isDeeplyFrozen } from './deep-freeze.js';

/** Deeply frozen values → the JSON text each was parsed from. */
const sources = new WeakMap<object, string>();

/**
 * Record that `value` is exactly what `JSON.parse(text)` returned, so that code needing a text
 * that identifies the value (a memo key) can use `text` instead of walking and serializing it.
 *
 * Only deeply frozen values are accepted: a value that could change after this call would no
 * longer match its text.
 *
 * @example
 * ```ts
 * const text = '{"dataset":"orders"}';
 * const value = deepFreeze(JSON.parse(text));
 * rememberJsonSource(value, text);
 * jsonSourceOf(value); // '{"dataset":"orders"}'
 * ```
 */
export function rememberJsonSource(value: unknown, text: string): void {
  if (typeof value !== 'object' || value === null) return;
  if (!isDeeplyFrozen(value)) throw new TypeError('rememberJsonSource: the value must be deeply frozen');
  sources.set(value, text);
}

/**
 * The JSON text `value` was parsed from, when recorded by {@link rememberJsonSource}.
 *
 * Equal texts always come from equal values (`JSON.parse` is deterministic); equal values may
 * come from different texts (spacing, key order), so a key built from this text can only miss,
 * never confuse two values.
 */
export function jsonSourceOf(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null ? sources.get(value) : undefined;
}
