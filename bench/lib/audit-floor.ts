import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { openStoreDatabase, type StoreDatabase } from '../../packages/server/src/store/database.js';
import { preparePending } from '../../packages/server/src/audit/append.js';
import { chainHash, GENESIS_HASH, type HashedAuditFields } from '../../packages/server/src/audit/chain-hash.js';
import { attributeForms } from '../../packages/server/src/audit/stored-attributes.js';
import { microBench } from './micro-bench.js';
import { pidCpuMicros, processCpuMicros } from './cpu-usage.js';
import { dropSchema } from '../../packages/server/test/helpers/stores.js';

export interface StoreRowFloor {
  /** CPU the store spends per event row stored, at best (see `storeRowFloor`), in µs. */
  microsPerRow: number;
  rowsPerStatement: number;
}

export interface StoreRowFloorOptions {
  kind: 'embedded' | 'postgres';
  /** PostgreSQL only: the server to measure (a throwaway schema is created and dropped). */
  databaseUrl?: string;
  /** Event rows per statement: what one commit carries at best. */
  rowsPerStatement: number;
  /** Statements per measured loop (default 200). */
  statements?: number;
}

/**
 * A lower bound of what storing one audit event costs the metadata store: the CPU of inserting
 * fully formed rows into `audit_events`, as one statement per batch, minus the CPU of the same
 * number of statements that insert nothing. Nothing is parsed per row (the row's values are
 * bound once per statement and repeated by `generate_series`), no hash chain is checked and no
 * head row is moved, so the trail's real append can only cost more.
 *
 * Embedded: the whole process's CPU (the store's worker thread does the work). PostgreSQL: the
 * CPU of the server process serving the one connection, each statement its own durable commit.
 *
 * @example
 * ```ts
 * const { microsPerRow } = await storeRowFloor({ kind: 'embedded', rowsPerStatement: 400 });
 * ```
 */
export async function storeRowFloor(options: StoreRowFloorOptions): Promise<StoreRowFloor> {
  if (options.kind === 'postgres' && !options.databaseUrl) throw new Error('storeRowFloor: a PostgreSQL floor needs databaseUrl');
  const directory = await mkdtemp(join(tmpdir(), 'perch-bench-floor-'));
  const schema = `perch_bench_floor_${randomBytes(4).toString('hex')}`;
  let store: StoreDatabase | undefined;
  try {
    store =
      options.kind === 'postgres'
        ? await openStoreDatabase({ databaseUrl: options.databaseUrl, schema, poolSize: 1 })
        : await openStoreDatabase({ dataDir: join(directory, 'data') });
    const db = store.db as unknown as Kysely<unknown>;
    // PostgreSQL: one pooled connection, so every statement runs on this server process.
    const pid = options.kind === 'postgres' ? Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db)).rows[0]!.pid) : undefined;
    const cpu = () => (pid === undefined ? processCpuMicros() : pidCpuMicros(pid));
    const row = sampleEvent().row;
    const n = options.rowsPerStatement;
    const statements = options.statements ?? 200;
    let next = 1;
    const insert = async () => {
      const from = next;
      next += n;
      await sql`insert into audit_events (workspace_id, seq, segment, time, action, outcome, resource, code, distinct_id, role, env, api_key_id, origin, ip, user_agent, request_id, details, attributes, prev_hash, hash)
        select ${row.workspace_id}, g, 0, ${row.time}::timestamptz, ${row.action}, ${row.outcome}, ${row.resource}, ${row.code}, ${row.distinct_id}, ${row.role}, ${row.env}, ${row.api_key_id},
          ${row.origin}, ${row.ip}, ${row.user_agent}, ${row.request_id} || g, ${row.details}::jsonb, ${row.attributes}::jsonb, ${row.prev_hash}, ${row.hash}
        from generate_series(${from}::bigint, ${from + n - 1}::bigint) g`.execute(db);
    };
    const nothing = async () => {
      await sql`select count(*) from generate_series(${1}::bigint, ${n}::bigint) g`.execute(db);
    };
    const loop = async (statement: () => Promise<void>) => {
      const before = cpu();
      for (let i = 0; i < statements; i += 1) await statement();
      return cpu() - before;
    };
    // Warm both (the embedded store's WebAssembly compiles to its optimizing tier), then
    // alternate the loops and keep the median difference.
    await loop(insert);
    await loop(nothing);
    const differences: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const inserted = await loop(insert);
      const idle = await loop(nothing);
      differences.push(Math.max(0, inserted - idle) / (statements * n));
    }
    differences.sort((a, b) => a - b);
    return { microsPerRow: differences[1]!, rowsPerStatement: n };
  } finally {
    await store?.close();
    if (options.kind === 'postgres' && options.databaseUrl) await dropSchema(schema, options.databaseUrl);
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * What the chain mandates per event, at best: the event's canonical JSON and
 * `SHA-256(prev_hash ‖ canonical JSON)`, for the same event as the row floor, in µs (median of
 * `rounds`). Attributes are passed already digested, as the trail caches them per user.
 *
 * @example
 * ```ts
 * const micros = await chainHashFloor(7);
 * ```
 */
export async function chainHashFloor(rounds: number): Promise<number> {
  const { fields } = sampleEvent();
  const { nsPerOp } = await microBench((call) => chainHash(GENESIS_HASH, { ...fields, seq: call + 1 }), { warmupIterations: 2_000, iterations: 20_000, rounds });
  return nsPerOp / 1000;
}

/** A real `query.run` event's hashed fields, and its stored columns as text (sizes as in production). */
function sampleEvent(): { fields: HashedAuditFields; row: Record<string, string | null> } {
  const forms = attributeForms();
  const pending = preparePending(
    {
      workspace: 'default',
      action: 'query.run',
      outcome: 'success',
      resource: 'orders',
      distinctId: 'bench-explorer',
      role: 'explorer',
      env: 'test',
      origin: 'http://127.0.0.1:3000',
      ip: '127.0.0.1',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      requestId: 'req-0000000000',
      details: { dataset: 'orders', members: ['revenue', 'orders', 'region'], filterFingerprint: 'f1e2d3c4b5a69788', policies: ['tenant'], rowCount: 4, durationMs: 0.4, cacheHit: true },
      attributes: { customerId: 'acme', department: 'finance' },
    },
    Date.now(),
    forms,
  );
  const attributes = pending.attributes && forms.storedAttributes(pending.attributes, 'bench-salt', false).value;
  const fields: HashedAuditFields = { ...pending.body, seq: 1, segment: 0, time: new Date(pending.recordedAt).toISOString(), attributes };
  const b = fields;
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const row = {
    workspace_id: b.workspace, seq: '1', segment: '0', time: b.time, action: b.action, outcome: b.outcome, resource: b.resource, code: b.code,
    distinct_id: b.distinctId, role: b.role, env: b.env, api_key_id: b.apiKeyId, origin: b.origin, ip: b.ip, user_agent: b.userAgent,
    request_id: b.requestId, details: json(b.details), attributes: json(b.attributes), prev_hash: GENESIS_HASH, hash: chainHash(GENESIS_HASH, fields),
  };
  return { fields, row };
}
