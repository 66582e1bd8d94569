import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPerch, type TestPerch } from '../helpers/test-perch.js';

describe('smoke', () => {
  let perch: TestPerch;
  beforeAll(async () => {
    perch = await startTestPerch('embedded');
  });
  afterAll(async () => perch?.close());

  it('mints and reads a session', async () => {
    const mint = await perch.app.inject({
      method: 'POST',
      url: '/v1/embed/tokens',
      headers: { authorization: `Bearer ${perch.adminKey}` },
      payload: { user: { distinctId: 'alice', role: 'viewer', attributes: { customerId: 'acme' } }, scope: { dashboards: ['sales'] } },
    });
    expect(mint.statusCode, mint.body).toBe(201);
    const { token } = mint.json() as { token: string };
    const session = await perch.app.inject({ method: 'GET', url: '/v1/embed/session', headers: { authorization: `Bearer ${token}` } });
    expect(session.statusCode, session.body).toBe(200);
    expect(session.json()).toMatchObject({ distinctId: 'alice', role: 'viewer', attributeKeys: ['customerId'] });
  });
});
