import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStoreDatabase } from '../../src/store/database.js';
import { createAuditTrail } from '../../src/audit/index.js';

const PROCESS = fileURLToPath(new URL('./embedded-process.ts', import.meta.url));
const ADMIN_KEY = 'pk_test_' + 'S'.repeat(43);

describe('graceful shutdown on SIGTERM', () => {
  it('stops accepting, finishes in-flight requests, drains the audit batch and exits 0, promptly despite keep-alive connections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'perch-shutdown-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', PROCESS], {
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? '', PERCH_DATA_DIR: join(dir, 'data'), PERCH_BOOTSTRAP_API_KEY: ADMIN_KEY, TEST_WAREHOUSE_PATH: join(dir, 'wh.duckdb'), PERCH_MODEL_DIR: fileURLToPath(new URL('../../../../model', import.meta.url)) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (line) resolve((JSON.parse(line) as { url: string }).url);
        });
        void exit.then(() => reject(new Error(`exited early: ${stderr}`)));
      });

      const mint = () =>
        fetch(`${url}/v1/embed/tokens`, {
          method: 'POST',
          headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({ user: { distinctId: 'shutdown', role: 'viewer', attributes: { customerId: 'acme' } } }),
        });
      expect((await mint()).status).toBe(201);

      // A burst of requests, then SIGTERM while they are in flight.
      const inFlight = Array.from({ length: 40 }, () =>
        mint().then(
          (response) => ({ status: response.status, requestId: response.headers.get('x-request-id') }),
          () => ({ status: 0, requestId: null }),
        ),
      );
      // Signal as soon as the first of them is answered: the rest are accepted and in flight.
      await Promise.race(inFlight);
      const signalledAt = performance.now();
      child.kill('SIGTERM');
      const results = await Promise.all(inFlight);
      const { code, signal } = await exit;
      expect({ code, signal }, stderr).toEqual({ code: 0, signal: null });
      // The client keeps its connections open (keep-alive): the process must still exit once
      // the requests are answered, well inside Kubernetes' default 30 s grace period, not after
      // the server's 72 s keep-alive timeout.
      expect(performance.now() - signalledAt).toBeLessThan(30_000);

      const delivered = results.filter((r) => r.status === 201).map((r) => r.requestId!);
      expect(delivered.length).toBeGreaterThan(0);
      // Requests either completed or were refused at the door; none got a 5xx mid-way.
      for (const r of results) expect([0, 201, 503]).toContain(r.status);

      // Every delivered response's event reached the trail before the process exited.
      const store = await openStoreDatabase({ dataDir: join(dir, 'data') });
      try {
        const trail = await createAuditTrail({ store });
        const page = await trail.query({ workspace: 'default', action: 'token.mint', limit: 1000 });
        const recorded = new Set(page.events.map((e) => (e as unknown as { requestId: string }).requestId));
        for (const requestId of delivered) expect(recorded.has(requestId), requestId).toBe(true);
        expect((await trail.verify('default')).ok).toBe(true);
        await trail.close();
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
