import { describe, expect, it } from 'vitest';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHarnessArgs, UsageError } from './cli-args.js';
import { discoverBenchmarks } from './discover.js';

describe('parseHarnessArgs', () => {
  it('has defaults for a bare name', () => {
    expect(parseHarnessArgs(['tokens'])).toEqual({ name: 'tokens', durationSeconds: 10, connections: 10, rounds: 7, write: true, strict: false, flags: {} });
  });

  it('reads the common options and keeps unknown flags for the benchmark', () => {
    const args = parseHarnessArgs(['tokens', '--duration=3', '--connections', '20', '--rounds=5', '--no-write', '--strict', '--pool=big']);
    expect(args).toMatchObject({ name: 'tokens', durationSeconds: 3, connections: 20, rounds: 5, write: false, strict: true });
    expect(args.flags.pool).toBe('big');
  });

  it('keeps a negated unknown flag as no-<name>, as a benchmark asks for it', () => {
    const args = parseHarnessArgs(['query', '--no-postgres', '--no-mysql']);
    expect(args.flags['no-postgres']).toBe(true);
    expect(args.flags['no-mysql']).toBe(true);
    expect(args.flags['no-duckdb']).toBeUndefined();
  });

  it('no name means: list the benchmarks', () => {
    expect(parseHarnessArgs([]).name).toBeUndefined();
  });

  it('refuses nonsense numbers and two names', () => {
    expect(() => parseHarnessArgs(['tokens', '--duration=0'])).toThrow(UsageError);
    expect(() => parseHarnessArgs(['tokens', '--duration=abc'])).toThrow(UsageError);
    expect(() => parseHarnessArgs(['tokens', '--duration=1e3'])).toThrow(UsageError);
    expect(() => parseHarnessArgs(['tokens', 'query'])).toThrow(/one benchmark at a time/);
  });
});

describe('discoverBenchmarks', () => {
  it('finds bench/<name>.bench.ts files by name', async () => {
    const names = await discoverBenchmarks(dirname(dirname(fileURLToPath(import.meta.url))));
    expect(names).toContain('tokens');
    expect(names).toEqual([...names].sort());
    expect(names.every((name) => !name.endsWith('.ts'))).toBe(true);
  });
});
