import type { Command } from 'commander';
import { once } from 'node:events';
import { createAuditTrail, type AuditTrail, type AuditEvent } from '../audit/index.js';
import { changeWorkspaceSettings, DEFAULT_WORKSPACE_ID } from '../store/workspaces.js';
import { withStore } from './store-access.js';
import { AuditListQuerySchema, AuditExportQuerySchema } from '../audit-api/audit-routes.js';
import { parseOrThrow } from '@perch/protocol';

async function withTrail<T>(fn: (trail: AuditTrail) => Promise<T>): Promise<T> {
  return withStore(async (store) => {
    const trail = await createAuditTrail({ store });
    try {
      return await fn(trail);
    } finally {
      await trail.close();
    }
  });
}

function line(event: AuditEvent): string {
  const e = event as unknown as Record<string, unknown>;
  return [e.time, `#${String(e.seq)}`, e.action, e.outcome, e.code ?? '', e.distinctId ?? '-', e.resource ?? '', e.requestId].join('  ');
}

interface FilterOptions {
  workspace: string;
  distinctId?: string;
  action?: string;
  outcome?: string;
  resource?: string;
  from?: string;
  to?: string;
}

function addFilterOptions(command: Command): Command {
  return command
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .option('--distinct-id <id>', 'only this user')
    .option('--action <action>', 'only this action, e.g. query.run')
    .option('--outcome <outcome>', 'success, refused or error')
    .option('--resource <resource>', 'only this resource')
    .option('--from <iso>', 'from this instant (inclusive)')
    .option('--to <iso>', 'to this instant (exclusive)');
}

function filtersOf(opts: FilterOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['distinctId', 'action', 'outcome', 'resource', 'from', 'to'] as const) {
    const value = opts[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/**
 * `perch audit tail|export|verify|raw-attributes`: the admin audit routes, run against the
 * metadata store, and the workspace's choice between attribute digests and raw values.
 * `perch audit export --format ndjson` writes to stdout, for log shippers.
 */
export function registerAuditCommand(program: Command): void {
  const audit = program.command('audit').description('read, export and verify the audit trail');

  addFilterOptions(audit.command('tail').description('print the newest events (oldest first)'))
    .option('-n, --lines <n>', 'how many events', '20')
    .option('--json', 'print NDJSON')
    .action(async (opts: FilterOptions & { lines: string; json?: boolean }) => {
      const query = parseOrThrow(AuditListQuerySchema, { ...filtersOf(opts), limit: opts.lines });
      const page = await withTrail((trail) => trail.query({ workspace: opts.workspace, ...query }));
      for (const event of [...page.events].reverse()) console.log(opts.json ? JSON.stringify(event) : line(event));
    });

  addFilterOptions(audit.command('export').description('stream the trail to stdout as NDJSON (default) or CSV'))
    .option('--format <format>', 'ndjson or csv', 'ndjson')
    .action(async (opts: FilterOptions & { format: string }) => {
      const { format, ...filters } = parseOrThrow(AuditExportQuerySchema, { ...filtersOf(opts), format: opts.format });
      await withTrail(async (trail) => {
        for await (const chunk of trail.export({ workspace: opts.workspace, ...filters }, format)) {
          // Respect back-pressure so a million events stream in constant memory.
          if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
        }
      });
    });

  audit
    .command('verify')
    .description('verify the hash chain; exits 1 and names the first bad event when broken')
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .action(async (opts: { workspace: string }) => {
      const result = await withTrail((trail) => trail.verify(opts.workspace));
      if (result.ok) {
        console.log(`Audit chain OK: ${result.checked} events checked, head #${result.lastSeq} ${result.lastHash}`);
      } else {
        console.error(`Audit chain BROKEN at event #${result.firstBroken?.seq} (${result.firstBroken?.reason}); ${result.checked} events verified before it.`);
        process.exitCode = 1;
      }
    });

  audit
    .command('raw-attributes')
    .description('store user attributes raw (on) or as salted digests (off, the default) in new events')
    .argument('<mode>', 'on or off')
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .action(async (mode: string, opts: { workspace: string }) => {
      if (mode !== 'on' && mode !== 'off') {
        console.error(`Expected "on" or "off", got "${mode}".`);
        process.exitCode = 1;
        return;
      }
      await withStore((store) => changeWorkspaceSettings(store.db, opts.workspace, { auditRawAttributes: mode === 'on' }));
      // Running Perch processes re-read the setting within a second (docs/audit.md).
      console.log(`Workspace ${opts.workspace}: new audit events store attributes ${mode === 'on' ? 'as raw values' : 'as salted digests'}.`);
    });
}
