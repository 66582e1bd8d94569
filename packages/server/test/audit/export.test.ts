import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createAuditTrail, type AuditTrail } from '../../src/audit/index.js';
import { openTestStore, STORE_KINDS, type TestStore } from '../helpers/stores.js';
import { freshWorkspace, queryEvent } from './fixtures.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe.each(STORE_KINDS)('audit export on the %s store', (kind) => {
  let ts: TestStore;
  let trail: AuditTrail;

  beforeAll(async () => {
    ts = await openTestStore(kind);
    trail = await createAuditTrail({ store: ts.store, batchMs: 1 });
  });
  afterAll(async () => {
    await trail?.close();
    await ts?.dispose();
  });

  it('streams NDJSON, one parseable event per line, oldest first, filtered', async () => {
    const workspace = freshWorkspace('ndjson');
    await trail.record(queryEvent(workspace, { distinctId: 'a' }));
    await trail.record(queryEvent(workspace, { distinctId: 'b', resource: 'line\nbreak' }));
    await trail.record(queryEvent(workspace, { distinctId: 'a' }));
    const text = await collect(trail.export({ workspace }, 'ndjson'));
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const events = lines.map((l) => JSON.parse(l) as { seq: number; resource: string; hash: string });
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(events[1]?.resource).toBe('line\nbreak');
    expect(events.every((e) => /^[0-9a-f]{64}$/.test(e.hash))).toBe(true);
    const onlyA = await collect(trail.export({ workspace, distinctId: 'a' }, 'ndjson'));
    expect(onlyA.trimEnd().split('\n').map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 3]);
  });

  it('streams CSV with RFC 4180 escaping and defused formulas', async () => {
    const workspace = freshWorkspace('csv');
    await trail.record(queryEvent(workspace, { resource: 'a,b "quoted"\nnext', userAgent: '=HYPERLINK("http://evil")', distinctId: '@SUM(1)', origin: '+1', ip: '-2' }));
    const text = await collect(trail.export({ workspace }, 'csv'));
    const [header] = text.split('\r\n');
    expect(header).toBe('seq,time,workspace,action,outcome,resource,code,distinctId,role,env,apiKeyId,origin,ip,userAgent,requestId,details,attributes,prevHash,hash');
    expect(text).toContain('"a,b ""quoted""\nnext"');
    expect(text).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(text).toContain(",'@SUM(1),");
    expect(text).toContain(",'+1,'-2,");
    expect(text).not.toMatch(/(^|,)[=+@-]/m);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('rejects bad filters before streaming', async () => {
    const chunks = trail.export({ workspace: freshWorkspace('bad'), from: 'not a date' }, 'csv');
    await expect(collect(chunks)).rejects.toMatchObject({ code: 'invalid_date_range', path: 'from' });
  });

  it('exports 100k events in bounded memory', async () => {
    const workspace = freshWorkspace('big');
    const total = 100_000;
    // Bulk-load directly: export neither needs nor checks the chain, and this keeps the test fast.
    await sql`
      insert into audit_events (workspace_id, seq, segment, time, action, outcome, resource, distinct_id, request_id, details, prev_hash, hash)
      select ${workspace}, g, (g - 1) / 10000, now(), 'query.run', 'success', 'orders', 'user-' || (g % 100), 'req-' || g,
             jsonb_build_object('pad', repeat('x', 600), 'n', g), repeat('0', 64), repeat('1', 64)
      from generate_series(1, ${total}::int) g`.execute(ts.store.db);
    gc();
    const baseline = process.memoryUsage().heapUsed;
    let peak = 0;
    let lines = 0;
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of trail.export({ workspace }, 'ndjson')) {
      chunks += 1;
      bytes += chunk.length;
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines += 1;
      if (chunks % 10 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - baseline);
      }
    }
    expect(lines).toBe(total);
    // The whole export is far larger than what may stay live at once.
    expect(bytes).toBeGreaterThan(80 * 1024 * 1024);
    expect(peak).toBeLessThan(32 * 1024 * 1024);
  });
});
