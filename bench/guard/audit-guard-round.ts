/**
 * One measured run of the audit change guard (see `audit-guard.ts`), in the Perch tree given:
 * a fresh Perch from that tree's own code (`guard-perch.ts`), warmed, then `POST /v1/query`
 * under load. Prints one JSON line: `{ "requestsPerSecond": … }`.
 *
 * Usage: node --import tsx bench/guard/audit-guard-round.ts <tree> <postgres-hits|postgres-misses|embedded-hits> <seconds> <warm-up seconds>
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { guardQueryBody, startGuardPerch } from './guard-perch.js';

type Scenario = 'postgres-hits' | 'postgres-misses' | 'embedded-hits';
type RunAutocannon = (load: Record<string, unknown>) => Promise<{ requestsPerSecond: number; non2xx: number; errors: number }>;

const SCENARIOS: readonly Scenario[] = ['postgres-hits', 'postgres-misses', 'embedded-hits'];

async function main(): Promise<void> {
  const [tree, scenarioArg, secondsArg, warmupArg] = process.argv.slice(2);
  const scenario = SCENARIOS.find((s) => s === scenarioArg);
  if (!tree || !scenario) throw new Error(`usage: audit-guard-round <tree> <${SCENARIOS.join('|')}> <seconds> <warm-up seconds>`);
  const seconds = Number(secondsArg ?? 5);
  const warmup = Number(warmupArg ?? 8);
  // The measured tree's own load generator.
  const { runAutocannon } = (await import(pathToFileURL(join(tree, 'bench/lib/autocannon-runner.ts')).href)) as { runAutocannon: RunAutocannon };
  const perch = await startGuardPerch(tree, scenario.startsWith('postgres') ? 'postgres' : 'embedded');
  try {
    const headers = { authorization: `Bearer ${perch.token}`, 'content-type': 'application/json' };
    const miss = scenario === 'postgres-misses';
    const warm = await fetch(`${perch.url}/v1/query`, { method: 'POST', headers, body: guardQueryBody(false) });
    if (warm.status !== 200) throw new Error(`warm-up query failed: ${warm.status} ${await warm.text()}`);
    const request = { url: `${perch.url}/v1/query`, method: 'POST', headers, body: guardQueryBody(miss), idReplacement: miss, connections: 10, warmupSeconds: 0 };
    await runAutocannon({ ...request, durationSeconds: warmup });
    const figures = await runAutocannon({ ...request, durationSeconds: seconds });
    process.stdout.write(`${JSON.stringify({ requestsPerSecond: figures.requestsPerSecond, non2xx: figures.non2xx, errors: figures.errors })}\n`);
  } finally {
    await perch.close();
  }
}

await main();
