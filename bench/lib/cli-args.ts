import { parseArgs } from 'node:util';

export interface HarnessArgs {
  /** The benchmark to run; undefined lists them. */
  name: string | undefined;
  durationSeconds: number;
  connections: number;
  rounds: number;
  /** `--no-write`: print only, leave RESULTS.md alone (for trial runs). */
  write: boolean;
  /** `--strict`: exit 1 when a target fails (for CI on a dedicated machine). */
  strict: boolean;
  flags: Record<string, string | true>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Parse `<name> [--duration=10] [--connections=10] [--rounds=7] [--no-write] [--strict] [--other=x]`.
 * Unknown flags are kept in `flags` for the benchmark itself.
 *
 * @example
 * ```ts
 * parseHarnessArgs(['tokens', '--duration=5']).durationSeconds; // 5
 * ```
 */
export function parseHarnessArgs(argv: readonly string[]): HarnessArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    // Not strict: flags the harness does not know belong to the benchmark.
    strict: false,
    allowPositionals: true,
    allowNegative: true,
    options: { duration: { type: 'string' }, connections: { type: 'string' }, rounds: { type: 'string' }, write: { type: 'boolean' }, strict: { type: 'boolean' } },
  });
  if (positionals.length > 1) throw new UsageError(`one benchmark at a time, got: ${positionals.join(', ')}`);
  const flags: Record<string, string | true> = {};
  for (const [key, value] of Object.entries(values)) {
    // allowNegative reads `--no-postgres` as `postgres: false`; a benchmark asks for `no-postgres`.
    if (value === false) flags[`no-${key}`] = true;
    else if (value !== undefined) flags[key] = value === true ? true : String(value);
  }
  return {
    name: positionals[0],
    durationSeconds: positiveInteger(values.duration, 'duration', 10, 120),
    connections: positiveInteger(values.connections, 'connections', 10, 1000),
    rounds: positiveInteger(values.rounds, 'rounds', 7, 101),
    write: values.write !== false,
    strict: values.strict === true,
    flags,
  };
}

function positiveInteger(value: string | boolean | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) throw new UsageError(`--${name} must be an integer from 1 to ${max}`);
  return parsed;
}
