/**
 * The paired change guard: one Perch from each tree, both up for the whole run, taking turns
 * under the same load in short bursts (A B, B A, A B, …). Steadier than `audit-guard.ts` on a
 * shared machine, whose fresh processes differ from run to run by more than a change does: both
 * trees are warmed once and then meet the same moments of the machine's drift. Prints every
 * round (req/s and the server process's CPU per request), the medians, their ratio and the
 * median of the per-round ratios.
 *
 * Usage: node --import tsx bench/guard/paired-guard.ts <before tree> <after tree> <postgres-hits|postgres-misses|embedded-hits> [rounds=12] [seconds=2] [warm-up seconds=8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { runAutocannon } from '../lib/autocannon-runner.js';
import { guardQueryBody } from './guard-perch.js';

const SERVE = join(dirname(fileURLToPath(import.meta.url)), 'serve-tree.ts');
const SCENARIOS = { 'postgres-hits': ['postgres', false], 'postgres-misses': ['postgres', true], 'embedded-hits': ['embedded', false] } as const;

interface Server {
  child: ChildProcess;
  url: string;
  token: string;
  pid: number;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

async function start(tree: string, store: string): Promise<Server> {
  // The server runs from the measured tree, so its packages resolve in that tree.
  const child = spawn(process.execPath, ['--import', 'tsx', SERVE, tree, store], { cwd: tree, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((done) => createInterface({ input: child.stdout! }).once('line', done));
  return { child, ...(JSON.parse(line) as { url: string; token: string; pid: number }) };
}

/** User + system CPU of a process so far, in µs (from /proc; Linux only). */
async function cpuMicros(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

const [beforeArg, afterArg, scenarioArg, roundsArg, secondsArg, warmupArg] = process.argv.slice(2);
const scenario = SCENARIOS[scenarioArg as keyof typeof SCENARIOS];
if (!beforeArg || !afterArg || !scenario) throw new Error(`usage: paired-guard <before tree> <after tree> <${Object.keys(SCENARIOS).join('|')}> [rounds] [seconds] [warm-up seconds]`);
const [store, miss] = scenario;
const rounds = Number(roundsArg ?? 12);
const seconds = Number(secondsArg ?? 2);
const warmup = Number(warmupArg ?? 8);
const body = guardQueryBody(miss);
const servers = [await start(resolve(beforeArg), store), await start(resolve(afterArg), store)];
const load = (server: Server, duration: number) =>
  runAutocannon({ url: `${server.url}/v1/query`, method: 'POST', headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' }, body, idReplacement: miss, connections: 10, warmupSeconds: 0, durationSeconds: duration });
try {
  for (const server of servers) await load(server, warmup);
  const rps: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  for (let round = 0; round < rounds; round += 1) {
    for (const which of round % 2 === 0 ? [0, 1] : [1, 0]) {
      const server = servers[which]!;
      const cpuBefore = await cpuMicros(server.pid);
      const figures = await load(server, seconds);
      if (figures.non2xx > 0 || figures.errors > 0) throw new Error(`${which === 0 ? 'before' : 'after'}: ${figures.non2xx} non-2xx answers, ${figures.errors} errors`);
      rps[which]!.push(figures.requestsPerSecond);
      cpu[which]!.push(((await cpuMicros(server.pid)) - cpuBefore) / figures.requests);
    }
    process.stdout.write(`round ${round + 1}: before ${rps[0].at(-1)!.toFixed(0)} req/s (${cpu[0].at(-1)!.toFixed(0)} µs CPU/req), after ${rps[1].at(-1)!.toFixed(0)} req/s (${cpu[1].at(-1)!.toFixed(0)} µs CPU/req)\n`);
  }
  const ratios = rps[0].map((before, i) => rps[1][i]! / before);
  process.stdout.write(
    `${scenarioArg}: before median ${median(rps[0]).toFixed(0)} req/s (${median(cpu[0]).toFixed(0)} µs CPU/req), after median ${median(rps[1]).toFixed(0)} req/s (${median(cpu[1]).toFixed(0)} µs CPU/req), after/before ${(median(rps[1]) / median(rps[0])).toFixed(3)}, median of per-round ratios ${median(ratios).toFixed(3)}\n`,
  );
} finally {
  for (const server of servers) server.child.stdin!.end();
  await Promise.all(servers.map((server) => new Promise((done) => server.child.once('exit', done))));
}
