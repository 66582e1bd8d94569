import type { Command } from 'commander';
import type { ApiKeyScope } from '../store/schema.js';
import { withApiKeys } from './store-access.js';
import { DEFAULT_WORKSPACE_ID } from '../store/workspaces.js';
import type { ApiKeySummary } from '../auth/api-keys.js';

function printTable(keys: ApiKeySummary[]): void {
  const rows = keys.map((k) => [k.id, k.prefix + '…', k.name, k.env, k.scopes.join(','), k.createdAt, k.lastUsedAt ?? '-', k.revokedAt ? 'revoked' : k.expiresAt ? `expires ${k.expiresAt}` : 'active']);
  const header = ['ID', 'PREFIX', 'NAME', 'ENV', 'SCOPES', 'CREATED', 'LAST USED', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => (cell ?? '').padEnd(widths[i] ?? 0)).join('  '));
}

/**
 * `perch keys create|list|revoke|rotate`: the same operations as the `/v1/api-keys` routes,
 * run directly against the metadata store (stop an embedded-store server first; PostgreSQL
 * stores can be managed while Perch runs).
 */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key (the key is printed once)')
    .requiredOption('--name <name>', 'a name to recognise the key by')
    .option('--env <env>', 'live or test', 'live')
    .option('--scope <scope...>', 'tokens:create and/or admin', ['tokens:create'])
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; env: string; scope: string[]; workspace: string; json?: boolean }) => {
      if (opts.env !== 'live' && opts.env !== 'test') throw new Error('--env must be live or test');
      const scopes = opts.scope.filter((s): s is ApiKeyScope => s === 'tokens:create' || s === 'admin');
      if (scopes.length !== opts.scope.length) throw new Error('--scope accepts tokens:create and admin');
      const created = await withApiKeys((service) => service.create({ workspaceId: opts.workspace, name: opts.name, env: opts.env as 'live' | 'test', scopes }));
      if (opts.json) console.log(JSON.stringify(created));
      else console.log(`Created ${created.apiKey.id}. Store this key now; it is not shown again:\n${created.key}`);
    });
  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .option('--json', 'print JSON')
    .action(async (opts: { workspace: string; json?: boolean }) => {
      const list = await withApiKeys((service) => service.list(opts.workspace));
      if (opts.json) console.log(JSON.stringify(list, null, 2));
      else printTable(list);
    });
  keys
    .command('revoke <id>')
    .description('revoke an API key now')
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .action(async (id: string, opts: { workspace: string }) => {
      const revoked = await withApiKeys((service) => service.revoke(opts.workspace, id));
      console.log(`Revoked ${revoked.id} at ${revoked.revokedAt}`);
    });
  keys
    .command('rotate <id>')
    .description('create a successor key; the old key keeps working for the grace period')
    .option('--grace <seconds>', 'how long the old key keeps working', '86400')
    .option('--workspace <id>', 'workspace', DEFAULT_WORKSPACE_ID)
    .action(async (id: string, opts: { grace: string; workspace: string }) => {
      const grace = Number(opts.grace);
      if (!Number.isInteger(grace) || grace < 0) throw new Error('--grace must be a whole number of seconds');
      const rotated = await withApiKeys((service) => service.rotate(opts.workspace, id, new Date(Date.now() + grace * 1000)));
      console.log(`Rotated ${id} → ${rotated.apiKey.id}. The old key stops at ${rotated.previous.expiresAt}.\nNew key (shown once):\n${rotated.key}`);
    });
}
