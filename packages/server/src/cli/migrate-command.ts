import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { sql, type Kysely } from 'kysely';
import { PerchError } from '@perch/protocol';
import type { StoreDatabase } from '../store/database.js';
import type { AuditDatabase } from '../audit/audit-schema.js';
import { verifyAudit } from '../audit/audit-verify.js';
import { withStore } from './store-access.js';

/** First line of a dump: what it is and which migrations shaped its rows. */
interface DumpHeader {
  kind: 'perch-store-dump';
  version: 1;
  migrations: string[];
  exportedAt: string;
}
/** One row of one table, exactly as PostgreSQL's `row_to_json` renders it. */
interface DumpRow {
  table: string;
  row: Record<string, unknown>;
}
/** Any line, before it is known whether it is a {@link DumpHeader}, a {@link DumpRow} or a {@link DumpEnd}. */
interface DumpLine {
  kind?: unknown;
  version?: unknown;
  migrations?: unknown;
  table?: unknown;
  row?: unknown;
  rows?: unknown;
}
/** Last line: row counts, so a truncated dump is refused rather than half imported. */
interface DumpEnd {
  kind: 'end';
  rows: Record<string, number>;
}

export interface ImportSummary {
  rows: Record<string, number>;
  /** Audit chains verified after the import, per workspace: events checked. */
  verified: Record<string, number>;
}

/**
 * `perch store import` refused its dump (a PerchError of code `store_import_invalid`), before
 * anything was written. The message, for the operator at the command line, says which line or
 * table.
 *
 * @example
 * ```ts
 * throw new StoreImportError('line 3: not JSON');
 * ```
 */
export class StoreImportError extends PerchError {
  constructor(message: string) {
    super('store_import_invalid', { message });
  }
}

/** Workspaces first (everything references them), the audit trail last. */
const TABLE_ORDER = ['workspaces', 'api_keys', 'token_keys', 'revocations', 'origins'];
const AUDIT_EVENTS = 'audit_events';
const PAGE = 1_000;
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

async function storeTables(db: Kysely<unknown>, schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = ${schema} and table_type = 'BASE TABLE' and table_name not like 'kysely_migration%'`.execute(db);
  const names = rows.map((r) => r.table_name).filter((n) => IDENTIFIER.test(n));
  const rank = (name: string) => (name === AUDIT_EVENTS ? 1_000 : TABLE_ORDER.includes(name) ? TABLE_ORDER.indexOf(name) : 100);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function appliedMigrations(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}

/**
 * Stream the whole metadata store (identity tables and the audit trail, hashes included) as
 * NDJSON. Rows are rendered by PostgreSQL's own `row_to_json`, so timestamps, JSON and big
 * integers round-trip exactly; audit events are read in pages of 1,000, so memory stays flat.
 *
 * @example
 * ```ts
 * await exportStore(store, async (line) => void process.stdout.write(line + '\n'));
 * ```
 */
export async function exportStore(store: StoreDatabase, write: (line: string) => Promise<void>): Promise<Record<string, number>> {
  const db = store.db as unknown as Kysely<unknown>;
  const header: DumpHeader = { kind: 'perch-store-dump', version: 1, migrations: await appliedMigrations(db), exportedAt: new Date().toISOString() };
  await write(JSON.stringify(header));
  const counts: Record<string, number> = {};
  for (const table of await storeTables(db, store.schema)) {
    counts[table] = 0;
    const emit = async (rows: { row: string }[]) => {
      for (const { row } of rows) await write(`{"table":${JSON.stringify(table)},"row":${row}}`);
      counts[table]! += rows.length;
    };
    if (table !== AUDIT_EVENTS) {
      await emit((await sql<{ row: string }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(db)).rows);
      continue;
    }
    // Keyset pages in chain order, so import appends each workspace's events in sequence.
    let after: { workspace: string; seq: string } = { workspace: '', seq: '0' };
    for (;;) {
      const { rows } = await sql<{ row: string; workspace_id: string; seq_text: string }>`
        select row_to_json(t)::text as row, t.workspace_id, t.seq::text as seq_text from audit_events t
        where (t.workspace_id, t.seq) > (${after.workspace}, ${after.seq}::bigint)
        order by t.workspace_id, t.seq limit ${PAGE}`.execute(db);
      await emit(rows);
      const last = rows.at(-1);
      if (!last || rows.length < PAGE) break;
      after = { workspace: last.workspace_id, seq: last.seq_text };
    }
  }
  const end: DumpEnd = { kind: 'end', rows: counts };
  await write(JSON.stringify(end));
  return counts;
}

/**
 * Load a dump into an empty store in ONE transaction, then verify every workspace's audit hash
 * chain inside that transaction: a dump that does not verify (tampered, truncated, reordered)
 * is rolled back and nothing is imported. Rows go in through `json_populate_recordset`, the
 * inverse of `row_to_json`.
 *
 * @example
 * ```ts
 * const summary = await importStore(store, createInterface({ input: process.stdin }));
 * ```
 */
export async function importStore(store: StoreDatabase, lines: AsyncIterable<string>): Promise<ImportSummary> {
  const db = store.db as unknown as Kysely<unknown>;
  const targetMigrations = await appliedMigrations(db);
  const tables = new Set(await storeTables(db, store.schema));
  const { rows: existing } = await sql<{ n: string }>`select (select count(*) from api_keys) + (select count(*) from token_keys) + (select count(*) from audit_events) as n`.execute(db);
  if (Number(existing[0]?.n ?? 0) > 0) throw new StoreImportError('the target store already holds keys or audit events; import only into a fresh store');

  return db.transaction().execute(async (trx) => {
    let header: DumpHeader | undefined;
    let end: DumpEnd | undefined;
    const counts: Record<string, number> = {};
    let batch: { table: string; rows: unknown[] } | undefined;
    const flush = async () => {
      if (!batch || batch.rows.length === 0) return;
      const { table, rows } = batch;
      const target = sql.table(table);
      // The default workspace exists in every fresh store; the dump's version of it wins.
      const conflict = table === 'workspaces' ? sql`on conflict (id) do update set name = excluded.name, settings = excluded.settings, created_at = excluded.created_at` : sql``;
      await sql`insert into ${target} select * from json_populate_recordset(null::${target}, ${JSON.stringify(rows)}::json) ${conflict}`.execute(trx);
      counts[table] = (counts[table] ?? 0) + rows.length;
      batch = undefined;
    };
    let lineNumber = 0;
    for await (const raw of lines) {
      lineNumber += 1;
      const line = raw.trim();
      if (line === '') continue;
      if (end) throw new StoreImportError(`line ${lineNumber}: data after the end marker`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        throw new StoreImportError(`line ${lineNumber}: not JSON`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new StoreImportError(`line ${lineNumber}: not a JSON object`);
      const record = parsed as DumpLine;
      if (!header) {
        if (record.kind !== 'perch-store-dump' || record.version !== 1 || !Array.isArray(record.migrations)) throw new StoreImportError('line 1: not a Perch store dump');
        header = record as DumpHeader;
        const unknown = header.migrations.filter((m) => !targetMigrations.includes(m));
        if (unknown.length > 0) throw new StoreImportError(`the dump comes from a newer Perch (migrations ${unknown.join(', ')}); upgrade this Perch first`);
        continue;
      }
      if (record.kind === 'end') {
        end = record as DumpEnd;
        continue;
      }
      if (typeof record.table !== 'string' || !tables.has(record.table) || typeof record.row !== 'object' || record.row === null) {
        throw new StoreImportError(`line ${lineNumber}: unknown table or malformed row`);
      }
      if (batch && batch.table !== record.table) await flush();
      batch ??= { table: record.table, rows: [] };
      batch.rows.push(record.row);
      if (batch.rows.length >= PAGE) await flush();
    }
    await flush();
    if (!header) throw new StoreImportError('the dump is empty');
    if (!end) throw new StoreImportError('the dump is truncated (no end marker)');
    for (const [table, n] of Object.entries(end.rows)) {
      if ((counts[table] ?? 0) !== n) throw new StoreImportError(`table ${table}: the dump announces ${n} rows but holds ${counts[table] ?? 0}`);
    }
    const verified: Record<string, number> = {};
    const audit = trx as unknown as Kysely<AuditDatabase>;
    const { rows: heads } = await sql<{ workspace_id: string }>`select workspace_id from audit_heads order by workspace_id`.execute(trx);
    for (const { workspace_id: workspace } of heads) {
      const result = await verifyAudit(audit, workspace);
      if (!result.ok) throw new StoreImportError(`the audit chain of workspace ${workspace} does not verify at seq ${result.firstBroken?.seq ?? '?'} (${result.firstBroken?.reason ?? 'unknown'}); nothing was imported`);
      verified[workspace] = result.checked;
    }
    return { rows: counts, verified };
  });
}

/** `perch store export` / `perch store import`: move the metadata store, audit chain intact. */
export function registerStoreCommand(program: Command): void {
  const store = program.command('store').description('export or import the metadata store and audit trail (NDJSON)');
  store
    .command('export')
    .description('write the whole store to stdout as NDJSON (run while Perch is stopped on the embedded store)')
    .action(async () => {
      const counts = await withStore((opened) =>
        exportStore(opened, (line) => new Promise<void>((resolve) => (process.stdout.write(`${line}\n`) ? resolve() : process.stdout.once('drain', resolve)))),
      );
      console.error(`exported ${Object.entries(counts).map(([t, n]) => `${t}: ${n}`).join(', ')}`);
    });
  store
    .command('import')
    .description('read a dump from stdin into a fresh store (normally PostgreSQL: set DATABASE_URL); the audit chain must verify')
    .action(async () => {
      const summary = await withStore((opened) => importStore(opened, createInterface({ input: process.stdin, crlfDelay: Infinity })));
      console.error(`imported ${Object.entries(summary.rows).map(([t, n]) => `${t}: ${n}`).join(', ')}`);
      console.error(`audit chains verified: ${Object.entries(summary.verified).map(([w, n]) => `${w} (${n} events)`).join(', ') || 'none'}`);
    });
}
