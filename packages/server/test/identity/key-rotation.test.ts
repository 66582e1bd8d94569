import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPerch, TestClock, type TestPerch } from '../helpers/test-perch.js';
import { STORE_KINDS } from '../helpers/stores.js';
import { ALICE, headerOf, mint, session } from './token-fixtures.js';
import { KEY_OVERLAP_MS } from '../../src/auth/keyring.js';

describe.each(STORE_KINDS)('token-key rotation (%s store)', (kind) => {
  let perch: TestPerch;
  const clock = new TestClock();
  beforeAll(async () => {
    perch = await startTestPerch(kind, { clock });
  });
  afterAll(async () => perch?.close());

  it('mints and verifies continuously while keys rotate, without a single failed request', async () => {
    const rotate = () => perch.app.inject({ method: 'POST', url: '/v1/token-keys/rotate', headers: { 'x-api-key': perch.adminKey } });
    const issued: string[] = [];
    const failures: string[] = [];
    let stop = false;
    const workers = Array.from({ length: 4 }, async (_, worker) => {
      let i = 0;
      while (!stop) {
        const body = { ...ALICE, user: { ...ALICE.user, distinctId: `u${worker}-${i++}` } };
        const minted = await perch.app.inject({ method: 'POST', url: '/v1/embed/tokens', headers: { 'x-api-key': perch.adminKey }, payload: body });
        if (minted.statusCode !== 201) {
          failures.push(`mint ${minted.statusCode} ${minted.body}`);
          continue;
        }
        const { token } = minted.json() as { token: string };
        issued.push(token);
        // Verify this token and one issued earlier (possibly under a key rotated out since).
        for (const candidate of [token, issued[Math.floor(issued.length / 3)]!]) {
          const verified = await session(perch, candidate);
          if (verified.statusCode !== 200) failures.push(`verify ${verified.statusCode} ${verified.body}`);
        }
      }
    });
    const kids = new Set<string>();
    const issuedAtLeast = async (n: number) => {
      while (issued.length < n) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    for (let r = 0; r < 5; r++) {
      await issuedAtLeast((r + 1) * 8);
      const response = await rotate();
      expect(response.statusCode).toBe(201);
      kids.add((response.json() as { kid: string }).kid);
    }
    await issuedAtLeast(48);
    stop = true;
    await Promise.all(workers);
    expect(kids.size).toBe(5);
    expect(failures).toEqual([]);
    expect(issued.length).toBeGreaterThanOrEqual(48);
    // Every token issued during the run still verifies after the last rotation.
    for (const token of issued) expect((await session(perch, token)).statusCode).toBe(200);
  });

  it('an old key stops verifying once the longest TTL has passed after rotation', async () => {
    const before = await mint(perch, { ...ALICE, ttlSeconds: 86_400 });
    await perch.app.inject({ method: 'POST', url: '/v1/token-keys/rotate', headers: { 'x-api-key': perch.adminKey } });
    clock.advance(KEY_OVERLAP_MS / 1000 - 60);
    expect((await session(perch, before.token)).statusCode).toBe(200);
    clock.advance(120);
    const oldKid = headerOf(before.token).kid as string;
    expect(perch.ctx.keyring.keyFor(oldKid)).toBeUndefined();
    expect((await session(perch, before.token)).statusCode).toBe(401);
    const late = await session(perch, (await mint(perch, { ...ALICE, ttlSeconds: 86_400 })).token);
    expect(late.statusCode).toBe(200);
  });
});
