/**
 * The audit change guard: cache hits and misses of a Perch tree against another (normally a
 * `git worktree` of the commit before a change), measured in ONE run with the trees alternated
 * round by round (A B, B A, A B, …), each run a fresh process. Prints every run and, per
 * scenario, the median of each tree and their ratio.
 *
 * Usage: node --import tsx bench/guard/audit-guard.ts <before tree> <after tree> [rounds=3] [seconds=5] [warm-up seconds=8]
 */
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUND_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'audit-guard-round.ts');
const SCENARIOS = ['postgres-hits', 'postgres-misses', 'embedded-hits'] as const;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function measure(tree: string, scenario: string, seconds: number, warmup: number): number {
  // The child runs from the measured tree, so its packages resolve in that tree.
  const output = execFileSync(process.execPath, ['--import', 'tsx', ROUND_SCRIPT, tree, scenario, String(seconds), String(warmup)], { cwd: tree, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = output.trim().split('\n').at(-1) ?? '';
  const parsed = JSON.parse(line) as { requestsPerSecond: number; non2xx: number; errors: number };
  if (parsed.non2xx > 0 || parsed.errors > 0) throw new Error(`${tree} ${scenario}: ${parsed.non2xx} non-2xx answers, ${parsed.errors} errors`);
  return parsed.requestsPerSecond;
}

const [beforeArg, afterArg, roundsArg, secondsArg, warmupArg] = process.argv.slice(2);
if (!beforeArg || !afterArg) throw new Error('usage: audit-guard <before tree> <after tree> [rounds] [seconds] [warm-up seconds]');
const trees = { before: resolve(beforeArg), after: resolve(afterArg) };
const rounds = Number(roundsArg ?? 3);
const seconds = Number(secondsArg ?? 5);
const warmup = Number(warmupArg ?? 8);
const runs: Record<string, { before: number[]; after: number[] }> = {};
for (const scenario of SCENARIOS) runs[scenario] = { before: [], after: [] };
for (let round = 1; round <= rounds; round += 1) {
  for (const scenario of SCENARIOS) {
    const order = round % 2 === 1 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const which of order) {
      const rps = measure(trees[which], scenario, seconds, warmup);
      runs[scenario]![which].push(rps);
      process.stdout.write(`round ${round} ${scenario} ${which}: ${rps.toFixed(0)} req/s\n`);
    }
  }
}
for (const scenario of SCENARIOS) {
  const { before, after } = runs[scenario]!;
  const ratio = median(after) / median(before);
  process.stdout.write(`${scenario}: before median ${median(before).toFixed(0)} req/s [${before.map((v) => v.toFixed(0)).join(', ')}], after median ${median(after).toFixed(0)} req/s [${after.map((v) => v.toFixed(0)).join(', ')}], after/before ${ratio.toFixed(3)}\n`);
}
