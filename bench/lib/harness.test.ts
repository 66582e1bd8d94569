import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Run the harness as `npm run bench` does, without writing anything. */
function harness(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: repositoryRoot, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as NodeJS.ErrnoException & { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bench/run.ts', () => {
  it('with no name, lists the benchmarks and exits 0', async () => {
    const { code, stdout } = await harness([]);
    expect(code).toBe(0);
    expect(stdout).toContain('usage: npm run bench -- <name>');
    expect(stdout).toMatch(/^\s+tokens$/m);
  });

  it('refuses an unknown benchmark with exit code 2 and leaves RESULTS.md alone', async () => {
    const before = await readFile(join(repositoryRoot, 'bench/RESULTS.md'), 'utf8');
    const { code, stderr } = await harness(['no-such-bench']);
    expect(code).toBe(2);
    expect(stderr).toContain('no benchmark named no-such-bench');
    expect(await readFile(join(repositoryRoot, 'bench/RESULTS.md'), 'utf8')).toBe(before);
  });

  it('refuses bad options before running anything', async () => {
    const { code, stderr } = await harness(['tokens', '--duration=0']);
    expect(code).toBe(2);
    expect(stderr).toContain('--duration must be an integer');
  });

  it('RESULTS.md holds one well-formed section per benchmark team', async () => {
    const document = await readFile(join(repositoryRoot, 'bench/RESULTS.md'), 'utf8');
    for (const name of ['tokens', 'query', 'audit', 'embed', 'scale']) {
      const open = document.indexOf(`<!-- bench:${name} -->`);
      const close = document.indexOf(`<!-- /bench:${name} -->`);
      expect(open, name).toBeGreaterThanOrEqual(0);
      expect(close, name).toBeGreaterThan(open);
      expect(document.indexOf(`<!-- bench:${name} -->`, open + 1), name).toBe(-1);
    }
  });
});
