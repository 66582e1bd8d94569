import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditTrail } from '../../src/audit/index.js';
import { openStoreDatabase } from '../../src/store/database.js';
import { TEST_DATABASE_URL } from '../helpers/stores.js';
import { admin, createClusterFixture, mint, session, startReplica, within, type ClusterFixture, type Replica } from './cluster.js';

/** Header `kid` of a compact JWE, read without decrypting anything. */
function kidOf(token: string): string {
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string };
  return header.kid;
}

describe('two replicas on one PostgreSQL store', () => {
  let fixture: ClusterFixture;
  let r1: Replica;
  let r2: Replica;

  beforeAll(async () => {
    fixture = await createClusterFixture('prod_rep', { tenants: 2 });
    // Sequentially: the first start migrates the schema and creates the bootstrap key.
    r1 = await startReplica(fixture);
    r2 = await startReplica(fixture);
  });

  afterAll(async () => {
    await Promise.all([r1?.stop(), r2?.stop()]);
    await fixture?.dispose();
  });

  it('a token revoked on replica 1 is refused by replica 2 within 1 s', async () => {
    const { token, tokenId } = await mint(r1.url, { distinctId: 'alice', tenant: 'tenant_000' });
    expect(await session(r2.url, token)).toEqual({ status: 200, code: undefined });
    const revoked = await admin(r1.url, 'POST', '/v1/revocations', { tokenId });
    expect(revoked.status).toBe(201);
    const ms = await within(1_000, async () => (await session(r2.url, token)).code === 'token_revoked');
    expect(ms).toBeLessThan(1_000);
    expect(await session(r1.url, token)).toEqual({ status: 401, code: 'token_revoked' });
  });

  it('revoking every token of a distinctId on replica 2 reaches replica 1 within 1 s', async () => {
    const first = await mint(r1.url, { distinctId: 'bob', tenant: 'tenant_001' });
    const second = await mint(r2.url, { distinctId: 'bob', tenant: 'tenant_001' });
    expect((await session(r1.url, second.token)).status).toBe(200);
    // Tokens issued in the same second as the revocation count as revoked; wait past it.
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await admin(r2.url, 'POST', '/v1/revocations', { distinctId: 'bob' })).status).toBe(201);
    await within(1_000, async () => (await session(r1.url, first.token)).code === 'token_revoked' && (await session(r1.url, second.token)).code === 'token_revoked');
  });

  it('a token-key rotation on replica 1 is honoured by replica 2', async () => {
    const before = await mint(r2.url, { distinctId: 'carol', tenant: 'tenant_000' });
    const rotated = await admin(r1.url, 'POST', '/v1/token-keys/rotate');
    expect(rotated.status).toBe(201);
    const kid = rotated.body.kid as string;
    expect(kidOf(before.token)).not.toBe(kid);
    const fresh = await mint(r1.url, { distinctId: 'carol', tenant: 'tenant_000' });
    expect(kidOf(fresh.token)).toBe(kid);
    // Replica 2 verifies tokens of the new key, and mints with it, within 1 s.
    await within(1_000, async () => (await session(r2.url, fresh.token)).status === 200);
    await within(1_000, async () => kidOf((await mint(r2.url, { distinctId: 'carol', tenant: 'tenant_000' })).token) === kid);
    // Tokens of the previous key keep working on both replicas during the overlap window.
    expect((await session(r2.url, before.token)).status).toBe(200);
    expect((await session(r1.url, before.token)).status).toBe(200);
  });

  it('an origin change on replica 2 applies on replica 1 within 1 s', async () => {
    const origin = 'https://app.example.com';
    const { token } = await mint(r1.url, { distinctId: 'dave', tenant: 'tenant_000' });
    expect(await session(r1.url, token, origin)).toEqual({ status: 403, code: 'origin_forbidden' });
    expect((await admin(r2.url, 'PUT', '/v1/workspace/origins', { origins: [origin] })).status).toBe(200);
    await within(1_000, async () => (await session(r1.url, token, origin)).status === 200);
    expect((await admin(r2.url, 'PUT', '/v1/workspace/origins', { origins: [] })).status).toBe(200);
    await within(1_000, async () => (await session(r1.url, token, origin)).code === 'origin_forbidden');
  });

  it('an API key revoked on replica 1 stops working on replica 2 within about 1 s', async () => {
    const created = await admin(r1.url, 'POST', '/v1/api-keys', { name: 'host backend', env: 'live', scopes: ['tokens:create'] });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    const id = (created.body.apiKey as { id: string }).id;
    const mintWith = (url: string) =>
      fetch(`${url}/v1/embed/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { distinctId: 'erin', role: 'viewer', attributes: { tenantId: 'tenant_000' } }, scope: { dashboards: '*' } }),
      });
    expect((await mintWith(r2.url)).status).toBe(201);
    expect((await admin(r1.url, 'DELETE', `/v1/api-keys/${id}`)).status).toBe(200);
    const revoked = performance.now();
    // Replica 2 filled its positive-authentication cache before the revocation, and an entry
    // lives one second: any request that starts later must be refused. Timed from the request's
    // start, not its answer, so a loaded machine's slow round trip cannot fail the test (a slower
    // request reaches the cache later, which only makes a stale answer less likely).
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1_050 - (performance.now() - revoked))));
    expect((await mintWith(r2.url)).status).toBe(401);
  });

  it('audit events written by both replicas form one verified chain', async () => {
    // A burst on both replicas at once, so their appends interleave.
    const { token } = await mint(r1.url, { distinctId: 'frank', tenant: 'tenant_001' });
    await Promise.all(Array.from({ length: 40 }, (_, i) => session(i % 2 ? r1.url : r2.url, token)));
    const store = await openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema: fixture.storeSchema, poolSize: 2 });
    try {
      const trail = await createAuditTrail({ store });
      const verification = await trail.verify('default');
      expect(verification.ok).toBe(true);
      expect(verification.checked).toBeGreaterThan(40);
      await trail.close();
    } finally {
      await store.close();
    }
  });

  it('neither replica exited', () => {
    expect([r1.exited(), r2.exited()]).toEqual([false, false]);
  });
});
