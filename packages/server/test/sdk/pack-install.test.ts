/**
 * `@perch/node` and `@perch/protocol` as a host developer gets them: `npm pack` both (their
 * `prepack` compiles them), install the tarballs into an empty project with no network, and run a
 * plain `node` script (no tsx, no TypeScript) that mints a token from a real Perch and gets a
 * typed error for a bad key. The project's `tsc` then type-checks a consumer against the shipped
 * `.d.ts` files.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startPerch, type RunningPerch } from '../../src/server.js';
import { MODEL_DIR } from '../e2e/embed-stack.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';

const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a command to completion; never throws, so a test can assert on the exit code and output. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `npm pack` one folder into `destination`; returns the tarball's path and its file list. */
async function pack(folder: string, destination: string, extra: string[] = []): Promise<{ path: string; files: string[] }> {
  const result = await run(NPM, ['pack', folder, '--pack-destination', destination, '--json', ...extra], REPOSITORY);
  if (result.code !== 0) throw new Error(`npm pack ${folder} failed:\n${result.stderr}`);
  // npm prints lifecycle output before the JSON array.
  const json = JSON.parse(result.stdout.slice(result.stdout.indexOf('\n[') + 1 || result.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const entry = json[0]!;
  return { path: join(destination, entry.filename), files: entry.files.map((file) => file.path) };
}

const CONSUMER_JS = `
import { createPerchClient, PerchApiError } from '@perch/node';
import { PerchError } from '@perch/protocol';

const baseUrl = process.env.PERCH_URL;
const out = {};
const perch = createPerchClient({ apiKey: process.env.PERCH_API_KEY, baseUrl });
const minted = await perch.createEmbedToken({
  user: { distinctId: 'pack-user', role: 'explorer', attributes: { customerId: 'acme', department: 'sales' } },
  ttlSeconds: 600,
});
out.minted = minted;

const stranger = createPerchClient({ apiKey: 'pk_live_' + 'Z'.repeat(43), baseUrl });
try {
  await stranger.createEmbedToken({ user: { distinctId: 'x', role: 'viewer' } });
  out.badKey = 'no error';
} catch (error) {
  out.badKey = { perchApiError: error instanceof PerchApiError, perchError: error instanceof PerchError, code: error.code, status: error.status, requestId: typeof error.requestId };
}
try {
  await perch.createEmbedToken({ user: { distinctId: 'x', role: 'superuser' } });
  out.badRole = 'no error';
} catch (error) {
  out.badRole = { perchError: error instanceof PerchError, code: error.code, path: error.path };
}
try {
  createPerchClient({ apiKey: 'not-a-key', baseUrl });
  out.malformedKey = 'no error';
} catch (error) {
  out.malformedKey = { perchError: error instanceof PerchError, code: error.code, leaksKey: String(error.message).includes('not-a-key') };
}
console.log(JSON.stringify(out));
`;

/** Type-checked against the installed .d.ts files only (no @types/node, no repository paths). */
const CONSUMER_TS = `
import { createPerchClient, PerchApiError, type EmbedToken } from '@perch/node';
import { isErrorCode, type ErrorCode } from '@perch/protocol';

export async function mint(apiKey: string): Promise<EmbedToken | ErrorCode> {
  const perch = createPerchClient({ apiKey, baseUrl: 'http://127.0.0.1:4100' });
  try {
    return await perch.createEmbedToken({ user: { distinctId: 'u', role: 'viewer', attributes: { customerId: 'acme' } }, ttlSeconds: 600 });
  } catch (error) {
    if (error instanceof PerchApiError && isErrorCode(error.code)) return error.code;
    throw error;
  }
}
`;

/** A deliberate type error: the checker must refuse it, or the .d.ts files type nothing. */
const CONSUMER_BAD_TS = `
import { createPerchClient } from '@perch/node';
createPerchClient({ apiKey: 1234, baseUrl: 'http://127.0.0.1:4100' });
`;

let directory: string;
let app: string;
let perch: RunningPerch;
let tarballs: { protocol: { path: string; files: string[] }; node: { path: string; files: string[] } };

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'perch-pack-'));
  const packs = join(directory, 'packs');
  await mkdir(packs);
  tarballs = {
    protocol: await pack(join(REPOSITORY, 'packages/protocol'), packs),
    node: await pack(join(REPOSITORY, 'packages/node'), packs),
  };
  // zod (protocol's one runtime dependency) comes from the repository's own install, so the
  // consumer's install needs no registry at all.
  const zod = await pack(join(REPOSITORY, 'node_modules/zod'), packs, ['--ignore-scripts']);
  app = join(directory, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'perch-consumer', private: true, type: 'module' }));
  const install = await run(NPM, ['install', '--offline', '--no-audit', '--no-fund', zod.path, tarballs.protocol.path, tarballs.node.path], app);
  if (install.code !== 0) throw new Error(`npm install of the tarballs failed:\n${install.stderr}`);

  const config = loadConfig({
    env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY },
    cwd: directory,
    overrides: { logLevel: 'silent', modelDir: MODEL_DIR, dataDir: join(directory, 'data'), warehouse: { type: 'duckdb', path: 'warehouse.duckdb', demo: true, demoOrders: 1_000 } },
  });
  perch = await startPerch({ config, port: 0 });
}, 300_000);

afterAll(async () => {
  await perch?.close();
  await rm(directory, { recursive: true, force: true });
});

describe('the packed SDK', () => {
  it('ships compiled JavaScript and declarations only, with exports pointing at them', () => {
    for (const { files } of Object.values(tarballs)) {
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
      expect(files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((file) => file.includes('test'))).toEqual([]);
    }
    expect(tarballs.node.files).toContain('dist/browser-guard.js');
  });

  it('installs with only its runtime dependencies', async () => {
    expect((await readdir(join(app, 'node_modules'))).filter((name) => !name.startsWith('.')).sort()).toEqual(['@perch', 'zod']);
    expect((await readdir(join(app, 'node_modules', '@perch'))).sort()).toEqual(['node', 'protocol']);
  });

  it('mints a token from a real Perch in a plain node script and gives typed errors', async () => {
    await writeFile(join(app, 'consumer.mjs'), CONSUMER_JS);
    const result = await run(process.execPath, ['consumer.mjs'], app, { ...process.env, NODE_OPTIONS: '', PERCH_URL: perch.url, PERCH_API_KEY: TEST_ADMIN_KEY });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout) as {
      minted: { token: string; tokenId: string; expiresAt: string };
      badKey: Record<string, unknown>;
      badRole: Record<string, unknown>;
      malformedKey: Record<string, unknown>;
    };
    // A compact JWE: five base64url segments.
    expect(out.minted.token.split('.')).toHaveLength(5);
    expect(out.minted.tokenId).toMatch(/\S/);
    expect(Date.parse(out.minted.expiresAt)).toBeGreaterThan(Date.now());
    expect(out.badKey).toEqual({ perchApiError: true, perchError: true, code: 'api_key_invalid', status: 401, requestId: 'string' });
    expect(out.badRole).toEqual({ perchError: true, code: 'unknown_role', path: 'user.role' });
    expect(out.malformedKey).toEqual({ perchError: true, code: 'api_key_invalid', leaksKey: false });

    // The token the script minted is a working one: Perch answers a governed query with it.
    const query = await fetch(`${perch.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${out.minted.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ dataset: 'orders', measures: ['orders'], dimensions: ['customer_id'] }),
    });
    expect(query.status, await query.clone().text()).toBe(200);
    const rows = ((await query.json()) as { rows: Array<{ customer_id: string }> }).rows;
    expect(rows.map((row) => row.customer_id)).toEqual(['acme']);
  });

  it('throws at import under the browser condition, so a bundler cannot ship the API key', async () => {
    const result = await run(process.execPath, ['--conditions=browser', '--input-type=module', '-e', "await import('@perch/node')"], app, { ...process.env, NODE_OPTIONS: '' });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/bundled for a browser/);
  });

  it('type-checks a TypeScript consumer against the shipped declarations, and refuses a wrong one', async () => {
    await writeFile(join(app, 'consumer.ts'), CONSUMER_TS);
    await writeFile(join(app, 'wrong.ts'), CONSUMER_BAD_TS);
    const tsc = join(REPOSITORY, 'node_modules', 'typescript', 'bin', 'tsc');
    // No @types/node and no repository settings: only what an installed package brings.
    const compilerOptions = { noEmit: true, strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2023', 'dom'], types: [] };
    await writeFile(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['consumer.ts'] }));
    await writeFile(join(app, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions, files: ['wrong.ts'] }));
    const good = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(good.stdout + good.stderr).toBe('');
    expect(good.code).toBe(0);
    const wrong = await run(process.execPath, [tsc, '-p', 'tsconfig.wrong.json'], app);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/wrong\.ts.*error TS2322/);
  });
});
