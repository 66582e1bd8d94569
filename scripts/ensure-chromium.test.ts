import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ensureChromium, INSTALL_COMMAND, type EnsureChromiumDeps } from './ensure-chromium.mjs';

/** Injected effects: nothing here installs or removes a package. */
function fakeDeps(overrides: Partial<EnsureChromiumDeps> & { present?: Set<string> }) {
  const lines: string[] = [];
  const runs: string[] = [];
  const present = overrides.present ?? new Set<string>();
  const deps: EnsureChromiumDeps = {
    env: {},
    defaultPath: '/nonexistent/perch-test/chromium',
    isExecutable: (path) => present.has(path),
    isRoot: () => false,
    hasCommand: () => true,
    run: (command, args) => {
      runs.push([command, ...args].join(' '));
      return 0;
    },
    print: (line) => lines.push(line),
    ...overrides,
  };
  return { deps, lines, runs };
}

describe('ensure-chromium (npm test pretest step)', () => {
  it('does nothing when the binary is there', () => {
    const { deps, lines, runs } = fakeDeps({ present: new Set(['/nonexistent/perch-test/chromium']) });
    expect(ensureChromium(deps)).toBe(0);
    expect(lines).toEqual([]);
    expect(runs).toEqual([]);
  });

  it('missing binary and not root: one line naming the exact command, non-zero exit, nothing run', () => {
    const { deps, lines, runs } = fakeDeps({ isRoot: () => false });
    expect(ensureChromium(deps)).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(INSTALL_COMMAND);
    expect(lines[0]).toContain('/nonexistent/perch-test/chromium');
    expect(runs).toEqual([]);
  });

  it('missing binary, root, but no apt-get: the one line, non-zero exit', () => {
    const { deps, lines, runs } = fakeDeps({ isRoot: () => true, hasCommand: () => false });
    expect(ensureChromium(deps)).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(INSTALL_COMMAND);
    expect(runs).toEqual([]);
  });

  it('missing binary as root with apt-get: one progress line, apt-get update then install, non-interactive', () => {
    const present = new Set<string>();
    const envs: Array<Record<string, string | undefined>> = [];
    const { deps, lines, runs } = fakeDeps({
      isRoot: () => true,
      present,
      run: (command, args, env) => {
        runs.push([command, ...args].join(' '));
        envs.push(env);
        if (args.includes('install')) present.add('/nonexistent/perch-test/chromium');
        return 0;
      },
    });
    expect(ensureChromium(deps)).toBe(0);
    expect(runs).toEqual(['apt-get update -qq', 'apt-get install -y -qq chromium']);
    expect(envs.every((env) => env.DEBIAN_FRONTEND === 'noninteractive')).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/installing Debian's chromium/);
  });

  it('a failing apt-get ends in one line and a non-zero exit', () => {
    const { deps, lines } = fakeDeps({ isRoot: () => true, run: () => 100 });
    expect(ensureChromium(deps)).toBe(1);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(INSTALL_COMMAND);
  });

  it('an explicit PERCH_CHROMIUM_PATH that does not exist is never "fixed" by installing a package', () => {
    const { deps, lines, runs } = fakeDeps({ env: { PERCH_CHROMIUM_PATH: '/nonexistent/custom-chromium' }, isRoot: () => true });
    expect(ensureChromium(deps)).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/nonexistent/custom-chromium');
    expect(runs).toEqual([]);
  });

  it('the real script exits 1 with a single line for a missing PERCH_CHROMIUM_PATH', () => {
    const result = spawnSync(process.execPath, ['scripts/ensure-chromium.mjs'], {
      env: { ...process.env, PERCH_CHROMIUM_PATH: '/nonexistent/perch-test/chromium' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('/nonexistent/perch-test/chromium');
  });

  it('the real script exits 0 silently when the configured binary exists', () => {
    const result = spawnSync(process.execPath, ['scripts/ensure-chromium.mjs'], {
      env: { ...process.env, PERCH_CHROMIUM_PATH: process.execPath },
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });
});
