import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createAuditTrail, DIGEST_PREFIX } from '../../src/audit/index.js';
import { openStoreDatabase } from '../../src/store/database.js';
import { ensureWorkspace, getWorkspace } from '../../src/store/workspaces.js';
import { dropSchema, TEST_DATABASE_URL } from '../helpers/stores.js';
import { perch } from './run-perch.js';

describe('perch audit raw-attributes', () => {
  const schema = `perch_raw_cli_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    vi.unstubAllEnvs();
    await dropSchema(schema);
  });

  it('turns raw attribute values on and off for one workspace, keeping its other settings', async () => {
    vi.stubEnv('DATABASE_URL', TEST_DATABASE_URL);
    vi.stubEnv('PERCH_DATABASE_SCHEMA', schema);
    const setup = await openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
    await ensureWorkspace(setup.db, 'acme', 'Acme', { tenantAttribute: 'customerId' });
    await setup.close();
    const refused = await perch(['audit', 'raw-attributes', 'maybe', '--workspace', 'acme']);
    expect(refused.exitCode).toBe(1);
    expect(refused.err).toContain('Expected "on" or "off"');

    const on = await perch(['audit', 'raw-attributes', 'on', '--workspace', 'acme']);
    expect(on.exitCode).toBeUndefined();
    expect(on.out).toContain('Workspace acme: new audit events store attributes as raw values.');

    const store = await openStoreDatabase({ databaseUrl: TEST_DATABASE_URL, schema });
    try {
      expect((await getWorkspace(store.db, 'acme'))?.settings).toEqual({ auditRawAttributes: true, tenantAttribute: 'customerId' });
      const trail = await createAuditTrail({ store });
      await trail.record({ workspace: 'acme', action: 'query.run', outcome: 'success', requestId: 'raw-1', attributes: { customerId: 'acme' } });
      await trail.close();

      const off = await perch(['audit', 'raw-attributes', 'off', '--workspace', 'acme']);
      expect(off.out).toContain('as salted digests');
      const settings = (await getWorkspace(store.db, 'acme'))?.settings;
      expect(settings).toEqual({ auditRawAttributes: false, tenantAttribute: 'customerId' });
      const later = await createAuditTrail({ store });
      await later.record({ workspace: 'acme', action: 'query.run', outcome: 'success', requestId: 'raw-2', attributes: { customerId: 'acme' } });
      const events = (await later.query({ workspace: 'acme' })).events;
      await later.close();
      expect(events.find((e) => e.requestId === 'raw-1')?.attributes).toEqual({ customerId: 'acme' });
      expect(String(events.find((e) => e.requestId === 'raw-2')?.attributes?.customerId).startsWith(DIGEST_PREFIX)).toBe(true);
    } finally {
      await store.close();
    }
  });
});
