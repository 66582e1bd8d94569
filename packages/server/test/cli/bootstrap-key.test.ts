/**
 * `perch start` on a fresh store prints the first admin key only when Perch generated it: a key
 * the operator supplied in PERCH_BOOTSTRAP_API_KEY never reaches stdout or stderr, which end up
 * in log files.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../src/auth/api-key-format.js';
import { embeddedTemplate } from '../helpers/stores.js';
import { MODEL_DIR } from '../query/warehouse-fixture.js';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI = join(REPO_ROOT, 'packages/server/src/cli/main.ts');
// By URL: the process runs in its own working directory, where `--import tsx` would not resolve.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const API_KEY_ANYWHERE = /pk_(?:live|test)_[0-9A-Za-z]{43,128}/g;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A working directory with a fresh embedded store and a small demo warehouse. */
async function freshInstall(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'perch-bootstrap-'));
  dirs.push(dir);
  cpSync(await embeddedTemplate(), join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'perch.yaml'), `dataDir: data\nmodelDir: ${JSON.stringify(MODEL_DIR)}\nwarehouse: { type: duckdb, path: data/warehouse.duckdb, demo: true, demoOrders: 1000 }\n`);
  return dir;
}

interface StartedCli {
  url: string;
  /** What it has written to stdout and stderr so far. */
  output(): string;
  /** Stop the process (SIGTERM) and return everything it wrote to stdout and stderr. */
  stop(): Promise<string>;
}

/** Run `perch start --port 0` in `cwd` at debug level, until it says where it listens. */
function startCli(cwd: string, env: Record<string, string>): Promise<StartedCli> {
  const { DATABASE_URL: _db, REDIS_URL: _redis, PERCH_BOOTSTRAP_API_KEY: _key, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', TSX, CLI, 'start', '--port', '0'], {
    cwd,
    env: { ...inherited, PERCH_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /Perch listening on (http:\/\/\S+?) /.exec(output);
      if (!match) return;
      child.stdout.off('data', onData);
      resolve({
        url: match[1]!,
        output: () => output,
        async stop() {
          child.kill('SIGTERM');
          await exited;
          return output;
        },
      });
    };
    child.stdout.on('data', onData);
    void exited.then(() => reject(new Error(`perch start exited before listening:\n${output}`)));
  });
}

/** Use the key once, so that an authenticated request (and its log line) is part of the output too. */
async function listKeys(url: string, key: string): Promise<number> {
  return (await fetch(`${url}/v1/api-keys`, { headers: { authorization: `Bearer ${key}` } })).status;
}

describe('perch start: the bootstrap admin key', () => {
  it('never prints a key supplied in PERCH_BOOTSTRAP_API_KEY, and says which key it created', async () => {
    const supplied = generateApiKey('live');
    const perch = await startCli(await freshInstall(), { PERCH_BOOTSTRAP_API_KEY: supplied });
    // The key was taken: it authenticates.
    expect(await listKeys(perch.url, supplied)).toBe(200);
    const output = await perch.stop();
    expect(output).toContain('created the first admin API key from PERCH_BOOTSTRAP_API_KEY');
    expect(output).toContain(supplied.slice(0, 12));
    expect(output).not.toContain(supplied);
    // Nor its secret part alone, nor any other whole key.
    expect(output).not.toContain(supplied.slice(8));
    expect(output.match(API_KEY_ANYWHERE)).toBeNull();
  }, 180_000);

  it('prints a key it generated itself, once', async () => {
    const perch = await startCli(await freshInstall(), {});
    const printed = perch.output().match(API_KEY_ANYWHERE) ?? [];
    expect(printed).toHaveLength(1);
    expect(await listKeys(perch.url, printed[0]!)).toBe(200);
    const output = await perch.stop();
    expect(output.match(API_KEY_ANYWHERE)).toEqual(printed);
    expect(output).toContain('Admin API key (shown once; store it now)');
    expect(output).not.toContain('from PERCH_BOOTSTRAP_API_KEY');
  }, 180_000);
});
