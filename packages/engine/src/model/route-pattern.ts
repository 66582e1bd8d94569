/**
 * The pattern of a tenant route (`source.schema.pattern` / `source.database.pattern`).
 *
 * A pattern must be anchored at both ends as written: an unanchored pattern accepts any value that
 * merely *contains* a match (`tenant_a"; DROP …`), so it is refused when the model loads rather
 * than quietly anchored. Matching still wraps it in `^(?:…)$`, because a top-level alternation
 * (`^a|b$`) reads as anchored yet anchors only one side of each branch.
 */

/**
 * Why a route pattern cannot be used, or `undefined` when it can.
 *
 * @example
 * ```ts
 * routePatternProblem('^tenant_[a-z0-9_]{1,40}$') // undefined
 * routePatternProblem('tenant_[a-z]+')            // 'must be anchored: start with ^ and end with $'
 * ```
 */
export function routePatternProblem(pattern: string): string | undefined {
  if (!pattern.startsWith('^') || !pattern.endsWith('$') || pattern.endsWith('\\$')) return 'must be anchored: start with ^ and end with $';
  try {
    anchoredRoutePattern(pattern);
  } catch (error) {
    return `is not a valid regular expression (${error instanceof Error ? error.message : 'syntax error'})`;
  }
  return undefined;
}

/**
 * The pattern compiled to match a whole value. `u` makes it read code points, so a look-alike
 * outside the class (a Cyrillic `а` for a Latin `a`) is one character that fails, never a pair of
 * surrogates that a loose class might accept.
 *
 * @example
 * ```ts
 * anchoredRoutePattern('^tenant_[a-z]+$').test('tenant_acme') // true
 * ```
 */
export function anchoredRoutePattern(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`, 'u');
}
