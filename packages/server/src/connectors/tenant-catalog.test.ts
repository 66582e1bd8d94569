import { describe, expect, it } from 'vitest';
import { PerchError } from '@perch/protocol';
import { TenantCatalog } from './tenant-catalog.js';

/** A catalog whose listing the test edits, counting reads. */
function catalogOf(names: string[], now: { ms: number }) {
  let reads = 0;
  const catalog = new TenantCatalog({
    list: async () => {
      reads += 1;
      return [...names];
    },
    ttlMs: 30_000,
    now: () => now.ms,
  });
  return { catalog, reads: () => reads };
}

describe('TenantCatalog', () => {
  it('admits only exact names: no case folding, no look-alikes', async () => {
    const now = { ms: 0 };
    const { catalog } = catalogOf(['tenant_a'], now);
    await expect(catalog.require({ schema: 'tenant_a' })).resolves.toBeUndefined();
    for (const name of ['TENANT_A', 'Tenant_a', 'tenant_\u0430', 'tenant_a ', 'tenant_b']) {
      const error = await catalog.require({ schema: name }, 'attributes.tenant').catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(PerchError);
      expect(error).toMatchObject({ code: 'tenant_route_invalid', path: 'attributes.tenant' });
      expect((error as PerchError).message).not.toContain(name);
    }
  });

  it('reads the catalog once per TTL for known names, and again at once on a miss', async () => {
    const now = { ms: 0 };
    const names = ['tenant_a'];
    const { catalog, reads } = catalogOf(names, now);
    await catalog.require({ schema: 'tenant_a' });
    await catalog.require({ schema: 'tenant_a' });
    expect(reads()).toBe(1);
    names.push('tenant_new');
    await catalog.require({ schema: 'tenant_new' });
    expect(reads()).toBe(2);
    now.ms = 31_000;
    await catalog.require({ schema: 'tenant_a' });
    expect(reads()).toBe(3);
  });

  it('shares one read among concurrent look-ups', async () => {
    const now = { ms: 0 };
    const { catalog, reads } = catalogOf(['tenant_a', 'tenant_b'], now);
    await Promise.all(Array.from({ length: 20 }, (_, i) => catalog.require({ database: i % 2 ? 'tenant_a' : 'tenant_b' })));
    expect(reads()).toBe(1);
  });

  it('fails closed when the catalog cannot be read, and tries again next time', async () => {
    let fail = true;
    const catalog = new TenantCatalog({
      list: async () => {
        if (fail) throw new PerchError('datasource_unavailable');
        return ['tenant_a'];
      },
    });
    await expect(catalog.require({ schema: 'tenant_a' })).rejects.toMatchObject({ code: 'datasource_unavailable' });
    fail = false;
    await expect(catalog.require({ schema: 'tenant_a' })).resolves.toBeUndefined();
  });
});
