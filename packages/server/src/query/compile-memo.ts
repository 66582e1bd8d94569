import { LRUCache } from 'lru-cache';
import { isDeeplyFrozen, type EmbedUser } from '@perch/protocol';
import type { CompiledQuery } from '@perch/engine';

/** Compiled queries kept by default: one per (user, query) pair that is asked again. */
export const DEFAULT_COMPILE_MEMO_ENTRIES = 1_000;

/**
 * Remembers what `compileQuery` returned for a user and a query, so a query asked again (a
 * dashboard reloaded, a chart re-rendered) skips validation, planning, the RLS transform and SQL
 * generation. On a result-cache hit that work was most of the route's cost (see "compile memo"
 * in bench/RESULTS.md for what it is worth).
 *
 * The key is built from the parsed query and user themselves, never from anything remembered
 * about where they came from (such as the request body's text), so nothing outside this class
 * has to be trusted to describe them.
 *
 * Why this cannot weaken RLS:
 * - `compileQuery` is a pure function of the model, the query, the user and the service's
 *   limits. The model and limits are fixed for the life of a `QueryService` (the model is
 *   read once at start-up), and the key is the exact JSON of the query AND of the whole user
 *   (distinctId, role, every attribute). Two users share an entry only if every input that RLS
 *   could read is identical, in which case `compileQuery` would return the same SQL anyway.
 * - The key must identify its inputs exactly. {@link exactJson} refuses anything JSON cannot
 *   carry faithfully (`undefined`, `NaN`, a Date, a class instance, an inherited property): such
 *   a request is compiled every time, never looked up, so no two different inputs can meet
 *   under one key.
 * - Only successful compiles are kept. A refusal (`rls_attribute_missing`, `member_forbidden`…)
 *   is decided again on every request.
 * - A query with a relative date range (`last 7 days`) depends on the clock, so it is never kept.
 * - Entries are frozen engine output (`GovernedSql` is sealed); callers only read them.
 *
 * @example
 * ```ts
 * const memo = new CompileMemo();
 * const { compiled } = memo.compile(query, user, () => compileQuery(model, query, user, 'duckdb', options));
 * ```
 */
export class CompileMemo {
  readonly #entries: LRUCache<string, CompiledQuery> | undefined;
  /**
   * Key text of users that cannot change: verified claims are deeply frozen and cached per
   * token, so one user object comes back on every request with that token.
   */
  readonly #userKeys = new WeakMap<object, string>();

  /** `maxEntries` 0 turns the memo off (every call compiles). */
  constructor(maxEntries: number = DEFAULT_COMPILE_MEMO_ENTRIES) {
    this.#entries = maxEntries > 0 ? new LRUCache<string, CompiledQuery>({ max: maxEntries }) : undefined;
  }

  get size(): number {
    return this.#entries?.size ?? 0;
  }

  /**
   * The remembered compile of `query` for `user` (`remembered: true`), or `compile()`'s result,
   * kept when it may be.
   */
  compile(query: unknown, user: EmbedUser, compile: () => CompiledQuery): { compiled: CompiledQuery; remembered: boolean } {
    const entries = this.#entries;
    const queryJson = entries ? exactJson(query) : undefined;
    const userJson = queryJson === undefined ? undefined : this.#userKey(user);
    if (!entries || queryJson === undefined || userJson === undefined) return { compiled: compile(), remembered: false };
    // Both parts are complete JSON values written by JSON.stringify (so without a line break),
    // so no two different (user, query) pairs can produce one key.
    const key = `${userJson}\n${queryJson}`;
    const known = entries.get(key);
    if (known) return { compiled: known, remembered: true };
    const compiled = compile();
    if (!dependsOnClock(compiled)) entries.set(key, compiled);
    return { compiled, remembered: false };
  }

  /** `exactJson(user)`, remembered for a deeply frozen user (a mutable one is read every time). */
  #userKey(user: EmbedUser): string | undefined {
    const known = this.#userKeys.get(user);
    if (known !== undefined) return known;
    const json = exactJson(user);
    if (json !== undefined && isDeeplyFrozen(user)) this.#userKeys.set(user, json);
    return json;
  }
}

/** True when compiling again later could give different SQL: a relative date range. */
function dependsOnClock(compiled: CompiledQuery): boolean {
  return typeof compiled.query.timeDimension?.dateRange === 'string';
}

/**
 * `JSON.stringify(value)` when that text identifies `value` exactly, otherwise `undefined`.
 *
 * Exact means: only `null`, booleans, strings, finite numbers, arrays, and plain objects whose
 * own properties are all enumerable and all of these. Anything JSON would drop or rewrite
 * (`undefined`, `NaN`, `Infinity`, `-0`, a `Date`, a `Map`, a function, a holey array) or that carries
 * data JSON does not show (a prototype other than `Object.prototype` or `null`, a non-enumerable
 * property) makes the whole value inexact. Values are expected to be data, as `JSON.parse` and
 * zod produce them (claims and request bodies are): accessor properties are not looked for.
 *
 * @example
 * ```ts
 * exactJson({ a: [1, 'x'] }) // '{"a":[1,"x"]}'
 * exactJson({ a: undefined }) // undefined
 * ```
 */
export function exactJson(value: unknown): string | undefined {
  return isExact(value, 0) ? JSON.stringify(value) : undefined;
}

/** Deeper than this is not worth remembering (and bounds the walk). */
const MAX_DEPTH = 32;

function isExact(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      // -0 is written as 0.
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object': {
      if (depth >= MAX_DEPTH) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) {
          // `i in value` rejects holes, which JSON writes as null.
          if (!(i in value) || !isExact(value[i], depth + 1)) return false;
        }
        return true;
      }
      const prototype = Object.getPrototypeOf(value) as unknown;
      if (prototype !== Object.prototype && prototype !== null) return false;
      // A toJSON member would let JSON.stringify write something other than the object, and a
      // non-enumerable property would be read by RLS yet missing from the key.
      if ('toJSON' in (value as object)) return false;
      const keys = Object.keys(value as object);
      if (Object.getOwnPropertyNames(value).length !== keys.length) return false;
      for (const key of keys) {
        if (!isExact((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
