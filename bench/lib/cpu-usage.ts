import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time read from Linux's /proc, in microseconds, for benchmarks that attribute cost across
 * processes (Perch and the PostgreSQL server beside it share the machine's cores).
 *
 * /proc counts in clock ticks of 10 ms (USER_HZ is 100 on Linux), so a reading is only
 * meaningful over seconds of work.
 */
const MICROS_PER_TICK = 10_000;

/** User + system CPU of every thread of this process so far, in µs. */
export function processCpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/** User + system CPU of process `pid` so far, in µs; 0 when it is gone (or /proc is missing). */
export function pidCpuMicros(pid: number): number {
  return statCpu(`/proc/${pid}/stat`)?.micros ?? 0;
}

/** User + system CPU of every process named `postgres*` on this machine so far, in µs (0 without /proc). */
export function postgresCpuMicros(): number {
  let total = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statCpu(`/proc/${entry}/stat`);
    if (stat?.name.startsWith('postgres')) total += stat.micros;
  }
  return total;
}

function statCpu(path: string): { name: string; micros: number } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process ended between listing and reading
  }
  // The command name is in parentheses and may hold spaces; fields are counted after it.
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  // utime and stime: fields 14 and 15 of stat(5), so 11 and 12 after the name.
  return { name: text.slice(text.indexOf('(') + 1, close), micros: (Number(fields[11]) + Number(fields[12])) * MICROS_PER_TICK };
}
