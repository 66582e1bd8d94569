import type { StoreKind } from '../../src/store/database.js';
import { loadConfig, type PerchConfig } from '../../src/config.js';
import { createPerchContext, type PerchContext } from '../../src/context.js';
import { buildApp, type BuildAppOptions, type PerchApp } from '../../src/app.js';
import type { Clock } from '../../src/store/clock.js';
import type { AuditSink } from '../../src/audit/audit-event.js';
import { openTestStore } from './stores.js';
import { MemoryAuditSink } from './memory-audit.js';
import pino, { type Logger } from 'pino';

export const TEST_ADMIN_KEY = 'pk_test_' + 'T'.repeat(43);

/** A controllable clock for expiry and skew tests. */
export class TestClock implements Clock {
  constructor(public ms = Date.now()) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestPerch {
  ctx: PerchContext;
  app: PerchApp;
  audit: MemoryAuditSink;
  adminKey: string;
  config: PerchConfig;
  close(): Promise<void>;
}

/** A full Perch (real store, real crypto, real Fastify) driven with `app.inject`. */
export async function startTestPerch(
  kind: StoreKind,
  options: { clock?: Clock; overrides?: Record<string, unknown>; app?: BuildAppOptions; audit?: AuditSink; /** Silent unless given. */ logger?: Logger } = {},
): Promise<TestPerch> {
  const { store, dispose } = await openTestStore(kind);
  const config = loadConfig({ env: { PERCH_BOOTSTRAP_API_KEY: TEST_ADMIN_KEY }, cwd: process.cwd(), overrides: { logLevel: 'silent', ...options.overrides } });
  const audit = new MemoryAuditSink();
  const ctx = await createPerchContext(config, {
    store,
    ...(options.clock ? { clock: options.clock } : {}),
    logger: options.logger ?? pino({ level: 'silent' }),
    createAudit: async () => options.audit ?? audit,
  });
  const app = await buildApp(ctx, options.app);
  await app.ready();
  return {
    ctx,
    app,
    audit,
    adminKey: TEST_ADMIN_KEY,
    config,
    async close() {
      await app.close();
      await dispose();
    },
  };
}
