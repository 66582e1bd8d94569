import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ApiKeyService } from '../../src/auth/api-keys.js';
import { Keyring } from '../../src/auth/keyring.js';
import { MasterKey } from '../../src/auth/master-key.js';
import { systemClock } from '../../src/store/clock.js';
import { DEFAULT_WORKSPACE_ID, ensureWorkspace } from '../../src/store/workspaces.js';
import { replaceOrigins } from '../../src/store/origins.js';
import { runDoctor, formatDoctorReport } from '../../src/cli/doctor-command.js';
import { openTestStore, TEST_DATABASE_URL, type TestStore } from '../helpers/stores.js';

const run = promisify(execFile);
const MASTER = randomBytes(32).toString('hex');
const opened: TestStore[] = [];
afterAll(async () => {
  for (const s of opened) await s.dispose();
});

async function storeWith(options: { masterKey?: string; devKey: boolean; origins: boolean }): Promise<TestStore> {
  const test = await openTestStore('postgres');
  opened.push(test);
  const { db } = test.store;
  await ensureWorkspace(db, DEFAULT_WORKSPACE_ID, 'Default workspace');
  await new Keyring(db, MasterKey.fromEnvironment(options.masterKey), systemClock).load(DEFAULT_WORKSPACE_ID);
  const keys = new ApiKeyService(db, systemClock);
  await keys.create({ workspaceId: DEFAULT_WORKSPACE_ID, name: 'backend', env: 'live', scopes: ['tokens:create'] });
  if (options.devKey) await keys.create({ workspaceId: DEFAULT_WORKSPACE_ID, name: 'laptop', env: 'test', scopes: ['tokens:create'] });
  if (options.origins) await replaceOrigins(db, DEFAULT_WORKSPACE_ID, ['https://app.example.com']);
  return test;
}

const statusOf = (report: Awaited<ReturnType<typeof runDoctor>>, id: string) => report.checks.find((c) => c.id === id)?.status;

describe('perch doctor', () => {
  it('flags a missing master key, unencrypted token keys, a development key and missing origins', async () => {
    const { store } = await storeWith({ devKey: true, origins: false });
    const config = loadConfig({ env: { DATABASE_URL: TEST_DATABASE_URL }, cwd: process.cwd() });
    const report = await runDoctor(config, store);
    expect(report.ok).toBe(false);
    expect(statusOf(report, 'master-key')).toBe('fail');
    expect(statusOf(report, 'token-keys-encrypted')).toBe('fail');
    expect(statusOf(report, 'development-keys')).toBe('fail');
    expect(statusOf(report, 'origins')).toBe('fail');
    expect(formatDoctorReport(report)).toMatch(/\[FAIL\] development-keys: .*pk_test_/);
  });

  it('passes a production-ready deployment (warnings and notes do not fail it)', async () => {
    const { store } = await storeWith({ masterKey: MASTER, devKey: false, origins: true });
    const config = loadConfig({ env: { DATABASE_URL: TEST_DATABASE_URL, PERCH_MASTER_KEY: MASTER, PERCH_PUBLIC_URL: 'https://perch.example.com' }, cwd: process.cwd() });
    const report = await runDoctor(config, store);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(statusOf(report, 'tls')).toBe('info');
    expect(statusOf(report, 'store')).toBe('pass');
  });

  it('a malformed master key and a plain-http public URL fail', async () => {
    const { store } = await storeWith({ masterKey: MASTER, devKey: false, origins: true });
    const config = loadConfig({ env: { PERCH_MASTER_KEY: 'too-short', PERCH_PUBLIC_URL: 'http://perch.example.com' }, cwd: process.cwd() });
    const report = await runDoctor(config, store);
    expect(statusOf(report, 'master-key')).toBe('fail');
    expect(statusOf(report, 'tls')).toBe('fail');
  });

  it('the CLI prints the checklist and exits 1 on a development key and no master key', async () => {
    const { store } = await storeWith({ devKey: true, origins: true });
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: TEST_DATABASE_URL, PERCH_DATABASE_SCHEMA: store.schema };
    const result = await run(process.execPath, ['--import', 'tsx', 'packages/server/src/cli/main.ts', 'doctor'], { env, cwd: process.cwd() }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/\[FAIL\] master-key/);
    expect(result.stdout).toMatch(/\[FAIL\] development-keys/);
    expect(result.stdout).toMatch(/check\(s\) failed/);
  });
});
