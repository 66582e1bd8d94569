/**
 * Freeze a value and everything reachable from it, in place, and return it.
 *
 * Used for values that are built once and then shared: the loaded model, and verified token
 * claims, which the verified-token cache hands to every later request with the same token.
 *
 * @example
 * ```ts
 * const claims = deepFreeze({ user: { attributes: { customerId: 'acme' } } });
 * Object.isFrozen(claims.user.attributes); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * True when no part of `value` can change: every object reachable from it is frozen.
 *
 * @example
 * ```ts
 * isDeeplyFrozen(deepFreeze({ a: [1] })); // true
 * isDeeplyFrozen(Object.freeze({ a: [1] })); // false: the array is not frozen
 * ```
 */
export function isDeeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeeplyFrozen);
}
