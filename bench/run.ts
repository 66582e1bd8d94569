/**
 * The benchmark harness: `npm run bench -- <name> [options]`.
 *
 * Runs `bench/<name>.bench.ts`, prints its figures and targets, and rewrites only that
 * benchmark's section of `bench/RESULTS.md`. With no name it lists the benchmarks.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { discoverBenchmarks } from './lib/discover.js';
import { parseHarnessArgs, UsageError } from './lib/cli-args.js';
import { describeMachine, machineLine } from './lib/machine.js';
import { renderReport } from './lib/render-report.js';
import { writeSection } from './lib/results-file.js';
import type { BenchModule, BenchOptions } from './lib/types.js';

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(benchDirectory, 'RESULTS.md');
const usage = 'usage: npm run bench -- <name> [--duration=10] [--connections=10] [--rounds=7] [--no-write] [--strict]';

async function main(argv: readonly string[]): Promise<number> {
  const args = parseHarnessArgs(argv);
  const available = await discoverBenchmarks(benchDirectory);
  if (args.name === undefined) {
    process.stdout.write(`${usage}\n\nbenchmarks:\n${available.map((name) => `  ${name}`).join('\n')}\n`);
    return 0;
  }
  if (!available.includes(args.name)) throw new UsageError(`no benchmark named ${args.name}; available: ${available.join(', ')}`);

  const module = (await import(pathToFileURL(join(benchDirectory, `${args.name}.bench.ts`)).href)) as BenchModule;
  const options: BenchOptions = {
    durationSeconds: args.durationSeconds,
    connections: args.connections,
    rounds: args.rounds,
    flags: args.flags,
    log: (message) => process.stderr.write(`[${args.name}] ${message}\n`),
  };
  const report = await module.default(options);
  const body = renderReport(report, {
    date: new Date().toISOString(),
    machine: machineLine(describeMachine()),
    command: ['npm run bench --', ...argv].join(' '),
  });
  process.stdout.write(`\n${body}\n`);
  if (args.write) {
    await writeSection(resultsPath, args.name, body);
    process.stderr.write(`[${args.name}] wrote its section of ${resultsPath}\n`);
  }
  const failed = report.targets.filter((t) => !t.pass);
  return args.strict && failed.length > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${usage}\n`);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
