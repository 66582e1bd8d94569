import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import { openStoreDatabase, type StoreDatabase } from '../../src/store/database.js';
import { openTestStore, STORE_KINDS, TEST_DATABASE_URL, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, queryEvent } from './fixtures.js';

describe.each(STORE_KINDS)('two audit writers on one %s store', (kind) => {
  let ts: TestStore;
  let second: StoreDatabase;
  let a: AuditTrail;
  let b: AuditTrail;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    // PostgreSQL: a second pool on the same schema, as a second Perch replica would have.
    // Embedded: one process owns the store, so the second writer shares its connection.
    second = kind === 'postgres' ? await openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema: ts.store.schema, poolSize: 5 }) : ts.store;
    a = await createAuditTrail({ store: ts.store, batchMs: 1, batchSize: 20, segmentSize: 50 });
    b = await createAuditTrail({ store: second, batchMs: 1, batchSize: 20, segmentSize: 50 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (second && second !== ts?.store) await second.close();
    await ts?.dispose();
  });

  it('interleaved appends to one workspace keep seq gapless and the chain valid', async () => {
    const workspace = freshWorkspace('replicas');
    const other = freshWorkspace('replicas_other');
    const requestIds: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      await Promise.all(
        Array.from({ length: 60 }, (_, i) => {
          const event = queryEvent(i % 7 === 0 ? other : workspace);
          if (event.workspace === workspace) requestIds.push(event.requestId);
          return (i % 2 === 0 ? a : b).record(event);
        }),
      );
    }
    const verification = await a.verify(workspace);
    expect(verification).toMatchObject({ ok: true, checked: requestIds.length, lastSeq: requestIds.length });
    expect((await b.verify(other)).ok).toBe(true);
    const seen: string[] = [];
    for await (const chunk of b.export({ workspace }, 'ndjson')) {
      for (const line of chunk.trimEnd().split('\n')) seen.push((JSON.parse(line) as { requestId: string }).requestId);
    }
    expect(new Set(seen)).toEqual(new Set(requestIds));
    expect(seen).toHaveLength(requestIds.length);
  });
});
