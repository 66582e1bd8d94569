import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import { loadConfig } from '../../packages/server/src/config.js';
import { startPerch, type RunningPerch } from '../../packages/server/src/server.js';
import { NoopAuditSink } from './noop-audit-sink.js';

export interface BenchPerchOptions {
  /** `perch.yaml`-shaped overrides, e.g. `{ limits: { apiKeyRatePerMinute: 1e9 } }`. */
  config?: Record<string, unknown>;
  /**
   * `trail` (default) is the real, durable audit trail a production Perch always runs.
   * `noop` exists only to attribute cost: a figure measured with it is never a result by itself.
   */
  audit?: 'trail' | 'noop';
  /** Extra environment, e.g. `DATABASE_URL` and `PERCH_DATABASE_SCHEMA` for a PostgreSQL store. */
  env?: Record<string, string>;
}

export interface BenchPerch {
  perch: RunningPerch;
  /** Base URL on loopback, e.g. `http://127.0.0.1:54321`. */
  url: string;
  /** The bootstrap admin key (`pk_test_…`, scopes `admin` and `tokens:create`). */
  adminKey: string;
  /** Stop the server, close the store and delete the temporary data directory. */
  close(): Promise<void>;
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Start a real Perch in this process on a loopback port, with a fresh embedded store and a small
 * demo warehouse in a temporary directory, the repository's `model/`, and a random bootstrap
 * admin key. Logging is silenced (a benchmark would
 * otherwise measure the terminal), everything else is as configured by default.
 *
 * @example
 * ```ts
 * const bench = await startBenchPerch({ config: { limits: { apiKeyRatePerMinute: 1_000_000_000 } } });
 * await fetch(bench.url + '/v1/embed/tokens', { method: 'POST', headers: { authorization: 'Bearer ' + bench.adminKey }, body });
 * await bench.close();
 * ```
 */
export async function startBenchPerch(options: BenchPerchOptions = {}): Promise<BenchPerch> {
  const directory = await mkdtemp(join(tmpdir(), 'perch-bench-'));
  const adminKey = `pk_test_${Array.from({ length: 43 }, () => BASE62[randomInt(BASE62.length)]).join('')}`;
  try {
    const config = loadConfig({
      env: { PERCH_BOOTSTRAP_API_KEY: adminKey, ...options.env },
      cwd: directory,
      overrides: {
        host: '127.0.0.1',
        dataDir: join(directory, 'data'),
        logLevel: 'silent',
        // The repository's demo model over the smallest demo warehouse: a complete Perch
        // (query routes included) that starts in seconds. Query benchmarks override both.
        modelDir: join(repositoryRoot, 'model'),
        warehouse: { type: 'duckdb', path: join(directory, 'warehouse.duckdb'), demo: true, demoOrders: 1_000 },
        ...options.config,
      },
    });
    const perch = await startPerch({
      config,
      port: 0,
      ...(options.audit === 'noop' ? { overrides: { createAudit: async () => new NoopAuditSink() } } : {}),
    });
    return {
      perch,
      url: perch.url,
      adminKey,
      async close() {
        await perch.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}
