// Run by `npm test` (its `pretest` step) before Vitest starts: the browser tests drive Debian's
// Chromium, and a fresh machine may not have it. Plain JavaScript, so the check costs Node's
// start-up and nothing more, and a missing browser is reported in well under a second.
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Debian's `chromium` package puts the browser, and what the browser tests launch by default. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** The command that provisions the browser; printed verbatim when Perch cannot run it itself. */
export const INSTALL_COMMAND = 'apt-get update -qq && apt-get install -y -qq chromium';

/**
 * Make sure the Chromium binary the browser tests launch exists, installing Debian's `chromium`
 * when that is possible without asking anyone (root and apt-get present, default path).
 * Never downloads a browser build, never skips: it either ends with a usable binary (0) or
 * prints exactly one line naming what to run (1).
 *
 * Every effect is injected, so the decision can be tested without installing or removing anything.
 *
 * @param {{
 *   env: Record<string, string | undefined>,
 *   defaultPath?: string,
 *   isExecutable: (path: string) => boolean,
 *   isRoot: () => boolean,
 *   hasCommand: (name: string) => boolean,
 *   run: (command: string, args: readonly string[], env: Record<string, string | undefined>) => number,
 *   print: (line: string) => void,
 * }} deps
 * @returns {number} the exit code for `npm test`'s pretest step
 */
export function ensureChromium(deps) {
  const defaultPath = deps.defaultPath ?? DEFAULT_CHROMIUM_PATH;
  const configured = deps.env.PERCH_CHROMIUM_PATH || deps.env.PERCH_CHROMIUM;
  const path = configured || defaultPath;
  if (deps.isExecutable(path)) return 0;

  if (configured) {
    // An explicit path is the developer's choice; installing a package would not create it.
    deps.print(`Perch: PERCH_CHROMIUM_PATH=${path} is not an executable file; point it at a Chromium binary or unset it and run: sudo sh -c '${INSTALL_COMMAND}'`);
    return 1;
  }
  if (!deps.isRoot() || !deps.hasCommand('apt-get')) {
    deps.print(`Perch: the browser tests need Chromium at ${path}; install it with: sudo sh -c '${INSTALL_COMMAND}' (or set PERCH_CHROMIUM_PATH to a Chromium binary)`);
    return 1;
  }

  deps.print(`Perch: installing Debian's chromium for the browser tests (${INSTALL_COMMAND}) …`);
  // Non-interactive: a debconf prompt would hang `npm test` forever.
  const env = { ...deps.env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', 'chromium']],
  ];
  for (const [command, args] of steps) {
    if (deps.run(command, args, env) !== 0) {
      deps.print(`Perch: \`${command} ${args.join(' ')}\` failed; run it yourself: ${INSTALL_COMMAND}`);
      return 1;
    }
  }
  if (!deps.isExecutable(path)) {
    deps.print(`Perch: chromium was installed but ${path} is still missing; set PERCH_CHROMIUM_PATH to the Chromium binary`);
    return 1;
  }
  return 0;
}

/** @param {string} path */
function isExecutable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** @param {string} name */
function hasCommand(name) {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => dir !== '' && isExecutable(join(dir, name)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = ensureChromium({
    env: process.env,
    isExecutable,
    isRoot: () => typeof process.getuid === 'function' && process.getuid() === 0,
    hasCommand,
    // apt's own chatter stays out of the test output; its errors still reach stderr.
    run: (command, args, env) => spawnSync(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] }).status ?? 1,
    print: (line) => console.error(line),
  });
}
