/**
 * Deterministic pseudo-random numbers as DuckDB SQL, so a million rows are generated inside
 * DuckDB (vectorised) instead of row by row in JS.
 *
 * Only 64-bit integer arithmetic, shifts and xor are used — no `random()`, no `hash()` (whose
 * output may change between DuckDB versions), no libm functions — so the same row index gives
 * the same value on every DuckDB version and platform. The mixer is a well-known 32-bit integer
 * hash (two multiply-xorshift rounds); all intermediate products stay below 2^63.
 */
export const RANDOM_MACROS = [
  // One multiply-xorshift round on a value in [0, 2^32).
  'CREATE OR REPLACE TEMP MACRO perch_mix(x) AS (xor(x >> 16, x) * 73244475) & 4294967295',
  // A 32-bit pseudo-random integer for row `i` and stream `k` (each column uses its own k).
  'CREATE OR REPLACE TEMP MACRO perch_rand(i, k) AS xor(perch_mix(perch_mix((i * 2654435761 + k * 40503 + 12345) & 4294967295)) >> 16, perch_mix(perch_mix((i * 2654435761 + k * 40503 + 12345) & 4294967295)))',
  // Uniform in [0, 1).
  'CREATE OR REPLACE TEMP MACRO perch_unit(i, k) AS perch_rand(i, k) / 4294967296.0',
  // Uniform integer in [0, n).
  'CREATE OR REPLACE TEMP MACRO perch_below(i, k, n) AS perch_rand(i, k) % n',
] as const;

/** A SQL list literal of simple identifiers/words (constants from demo-schema.ts, never user input). */
export function sqlList(words: readonly string[]): string {
  return `[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(', ')}]`;
}
