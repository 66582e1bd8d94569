import { readdir } from 'node:fs/promises';

const SUFFIX = '.bench.ts';

/** The benchmark names in a directory: every `<name>.bench.ts`, sorted. */
export async function discoverBenchmarks(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(SUFFIX))
    .map((entry) => entry.name.slice(0, -SUFFIX.length))
    .sort();
}
