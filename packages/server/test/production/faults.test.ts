import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { TEST_DATABASE_URL } from '../helpers/stores.js';
import { createClusterFixture, mint, startReplica, within, type ClusterFixture, type Replica } from './cluster.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/** The codes an outage may produce: each a 503 that names what is missing. */
const OUTAGE_CODES = new Set(['freshness_unknown', 'store_unavailable', 'audit_unavailable', 'datasource_unavailable']);

interface Outcome {
  status: number;
  code: string | undefined;
  requestId: string | null;
}

async function call(url: string, token: string, kind: 'session' | 'query'): Promise<Outcome> {
  const response =
    kind === 'session'
      ? await fetch(`${url}/v1/embed/session`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) })
      : await fetch(`${url}/v1/query`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ dataset: 'events', measures: ['amount'], dimensions: ['region'] }),
          signal: AbortSignal.timeout(15_000),
        });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code, requestId: response.headers.get('x-request-id') };
}

describe('faults: PostgreSQL disappears under load, a replica is SIGKILLed', () => {
  let fixture: ClusterFixture;
  let proxy: TcpProxy;
  let r1: Replica;
  let r2: Replica;

  beforeAll(async () => {
    const pgUrl = new URL(TEST_DATABASE_URL);
    proxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    pgUrl.port = String(proxy.port);
    fixture = await createClusterFixture('prod_fault', { tenants: 4 });
    r1 = await startReplica(fixture, { storeUrl: pgUrl.toString(), warehouseUrl: pgUrl.toString() });
    r2 = await startReplica(fixture, { storeUrl: pgUrl.toString(), warehouseUrl: pgUrl.toString() });
  });

  afterAll(async () => {
    await Promise.all([r1?.stop(), r2?.stop()]);
    await proxy?.close();
    await fixture?.dispose();
  });

  it('answers 503 with clear codes while PostgreSQL is unreachable, never exits, and recovers within 5 s', async () => {
    const tokens = await Promise.all(fixture.tenants.map((tenant, i) => mint(i % 2 ? r1.url : r2.url, { distinctId: `u${i}`, tenant })));
    const outcomes: Outcome[] = [];
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const replica = (w + i) % 2 ? r1 : r2;
        const outcome = await call(replica.url, tokens[(w + i) % tokens.length]!.token, i % 2 ? 'session' : 'query').catch(
          (error: unknown): Outcome => ({ status: 0, code: String(error), requestId: null }),
        );
        outcomes.push(outcome);
      }
    };
    const workers = Array.from({ length: 6 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1_000));
    const beforeCut = outcomes.length;

    proxy.cut();
    // Longer than the freshness bound (1.5 s), so replicas must fail closed.
    await new Promise((r) => setTimeout(r, 3_000));
    if (r1.exited() || r2.exited()) throw new Error(`a replica exited: ${r1.stderr()}\n---\n${r2.stderr()}`);
    const ready = await fetch(`${r1.url}/readyz`);
    expect(ready.status).toBe(503);
    const duringOutage = outcomes.slice(beforeCut);

    proxy.restore();
    const recoveredIn = await within(5_000, async () => {
      const results = await Promise.all([r1, r2].flatMap((r) => [call(r.url, tokens[0]!.token, 'session'), call(r.url, tokens[1]!.token, 'query')]));
      return results.every((o) => o.status === 200);
    });
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(workers);

    expect(beforeCut).toBeGreaterThan(0);
    expect(outcomes.slice(0, beforeCut).every((o) => o.status === 200)).toBe(true);
    const refused = duringOutage.filter((o) => o.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of outcomes) {
      if (o.status === 200) continue;
      expect(o.status).toBe(503);
      expect(OUTAGE_CODES.has(o.code ?? '')).toBe(true);
    }
    expect(refused.some((o) => o.code === 'freshness_unknown')).toBe(true);
    expect(recoveredIn).toBeLessThan(5_000);
    expect((await fetch(`${r1.url}/readyz`)).status).toBe(200);
    expect((await fetch(`${r2.url}/readyz`)).status).toBe(200);
    expect([r1.exited(), r2.exited()]).toEqual([false, false]);
  });

  it('a replica killed with SIGKILL loses no audited event whose response was delivered', async () => {
    const { token } = await mint(r2.url, { distinctId: 'kill-me', tenant: fixture.tenants[0]! });
    const delivered: string[] = [];
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const outcome = await call(r2.url, token, 'session').catch(() => undefined);
        if (outcome?.status === 200 && outcome.requestId) delivered.push(outcome.requestId);
        if (!killed && delivered.length >= 300) {
          killed = true;
          await r2.kill();
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(r2.exited()).toBe(true);
    expect(delivered.length).toBeGreaterThanOrEqual(300);

    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ request_id: string }>(`select request_id from "${fixture.storeSchema}".audit_events where request_id = any($1::text[])`, [delivered]);
      const stored = new Set(rows.map((r) => r.request_id));
      expect(delivered.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
