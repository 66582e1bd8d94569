import type { Command } from 'commander';
import type { PerchConfig } from '../config.js';
import type { StoreDatabase } from '../store/database.js';
import { MasterKey } from '../auth/master-key.js';
import { listWorkspaces } from '../store/workspaces.js';
import { listOrigins } from '../store/origins.js';
import { withStore } from './store-access.js';

export type DoctorStatus = 'pass' | 'fail' | 'warn' | 'info';

export interface DoctorCheck {
  id: string;
  status: DoctorStatus;
  message: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** True when no check failed (warnings and notes do not fail the report). */
  ok: boolean;
}

/**
 * Production-readiness checklist over the configuration, the environment and the metadata
 * store. It reads only; it never changes the store.
 *
 * @example
 * ```ts
 * const report = await runDoctor(config, store);
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export async function runDoctor(config: PerchConfig, store: StoreDatabase, now = new Date()): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  const add = (id: string, status: DoctorStatus, message: string) => checks.push({ id, status, message });

  const masterKey = config.secrets.masterKey;
  if (!masterKey) {
    add('master-key', 'fail', 'PERCH_MASTER_KEY is not set: token keys are stored unencrypted. Set 32 random bytes (64 hex characters) from your secret manager.');
  } else {
    try {
      MasterKey.fromEnvironment(masterKey);
      add('master-key', 'pass', 'PERCH_MASTER_KEY is set and well formed.');
    } catch (error) {
      add('master-key', 'fail', `PERCH_MASTER_KEY is malformed: ${(error as Error).message}`);
    }
  }

  const rawKeys = await store.db.selectFrom('token_keys').select(['id', 'workspace_id']).where('secret', 'like', 'raw:%').execute();
  if (rawKeys.length > 0) {
    add('token-keys-encrypted', 'fail', `${rawKeys.length} token key(s) are stored unencrypted (created without PERCH_MASTER_KEY). Set the master key and rotate: POST /v1/token-keys/rotate in each workspace.`);
  } else {
    add('token-keys-encrypted', 'pass', 'Every stored token key is wrapped under the master key.');
  }

  const devKeys = await store.db
    .selectFrom('api_keys')
    .select(['prefix', 'workspace_id', 'name'])
    .where('env', '=', 'test')
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute();
  if (devKeys.length > 0) {
    const names = devKeys.map((k) => `${k.prefix}… (${k.workspace_id}, "${k.name}")`).join(', ');
    add('development-keys', 'fail', `Active development (pk_test_) API keys: ${names}. Revoke them in production: perch keys revoke <id>.`);
  } else {
    add('development-keys', 'pass', 'No active development (pk_test_) API keys.');
  }

  const workspaces = await listWorkspaces(store.db);
  const withoutOrigins: string[] = [];
  for (const workspace of workspaces) if ((await listOrigins(store.db, workspace.id)).length === 0) withoutOrigins.push(workspace.id);
  if (withoutOrigins.length > 0) {
    add('origins', 'fail', `No authorized origins in workspace(s) ${withoutOrigins.join(', ')}: embeds from a browser page will be refused. PUT /v1/workspace/origins.`);
  } else {
    add('origins', 'pass', `Every workspace (${workspaces.length}) has authorized origins.`);
  }

  if (store.kind === 'postgres') add('store', 'pass', `Metadata store: PostgreSQL (schema ${store.schema}); replicas may scale out.`);
  else add('store', 'warn', 'Metadata store: embedded (single process). Set DATABASE_URL to run several replicas; see docs/deploy.md for perch store export/import.');

  if (config.secrets.bootstrapApiKey) add('bootstrap-key', 'warn', 'PERCH_BOOTSTRAP_API_KEY is still set; it is only needed on the first start. Remove it from the environment.');

  if (config.publicUrl && !config.publicUrl.startsWith('https://')) {
    add('tls', 'fail', `publicUrl ${config.publicUrl} is not https: embed tokens would cross the network in clear text.`);
  } else {
    add('tls', 'info', 'Perch speaks plain HTTP; terminate TLS at your load balancer or ingress and never expose the port directly.');
  }

  add('rate-limits', 'info', config.secrets.redisUrl ? 'Rate limits are shared across replicas through REDIS_URL.' : 'Rate limits are per replica (set REDIS_URL to share them).');

  return { checks, ok: checks.every((c) => c.status !== 'fail') };
}

const MARKS: Record<DoctorStatus, string> = { pass: '[ok]  ', fail: '[FAIL]', warn: '[warn]', info: '[info]' };

/** One line per check, then a summary. */
export function formatDoctorReport(report: DoctorReport): string {
  const lines = report.checks.map((c) => `${MARKS[c.status]} ${c.id}: ${c.message}`);
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push('', report.ok ? 'Ready for production.' : `${failed} check(s) failed.`);
  return lines.join('\n');
}

/** `perch doctor`: print the checklist; exit code 1 when a check fails. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check production readiness (master key, development keys, origins, store, TLS)')
    .action(async () => {
      const report = await withStore((store, config) => runDoctor(config, store));
      console.log(formatDoctorReport(report));
      if (!report.ok) process.exitCode = 1;
    });
}
