/**
 * The tenant-routing behaviour every warehouse must show (PostgreSQL schemas and databases,
 * MariaDB databases): each token sees only its own tenant, bad names are refused, a missing
 * attribute is refused, and 1,000 interleaved requests never cross.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPerch } from '../../src/server.js';
import { TEST_ADMIN_KEY } from '../helpers/test-perch.js';
import { everyRoute, foreignLabels, interleaved, mint, refusedRoutes, tenantsOf, visibleLabels, type RunningPerch } from './routing-fixture.js';
import type { PerchConfig } from '../../src/config.js';

export interface RoutingBackend {
  name: string;
  kind: 'schema' | 'database';
  prefix: string;
  config: () => PerchConfig;
  /**
   * Creates a new tenant (schema or database) with one visible row labelled `label`; absent where
   * the warehouse cannot change while Perch has it open (a DuckDB file opened read-only).
   */
  createTenant?: (name: string, label: string) => Promise<void>;
  /** Open connections to tenant databases, by database (database routing only). */
  openTenantConnections?: () => Promise<string[]>;
}

export function describeRouting(backend: RoutingBackend): void {
  const t = tenantsOf(backend.prefix);
  const regions = ['EU', 'US'];

  describe(`tenant routing by ${backend.kind} (${backend.name})`, () => {
    let perch: RunningPerch;
    let config: PerchConfig | undefined;
    const tokens = { alpha: '', bravo: '' };
    beforeAll(async () => {
      config = backend.config();
      perch = await startPerch({ config, port: 0 });
      tokens.alpha = await mint(perch, { tenant: t.alpha, regions });
      tokens.bravo = await mint(perch, { tenant: t.bravo, regions });
    }, 120_000);
    afterAll(async () => {
      await perch?.close();
      if (config) rmSync(config.cwd, { recursive: true, force: true });
    });

    it.each(['alpha', 'bravo'] as const)('a %s token sees its own tenant only, on every route', async (tenant) => {
      const results = await everyRoute(perch, tokens[tenant]);
      for (const [name, status, text] of results) {
        expect(status, `${name}: ${text}`).toBe(200);
        for (const label of foreignLabels(tenant)) expect(text, `${name} leaks ${label}`).not.toContain(label);
        if (name !== 'assistant') for (const label of visibleLabels(tenant)) expect(text, `${name} shows ${label}`).toContain(label);
      }
      const query = JSON.parse(results[0]![2]) as { rows: unknown[] };
      expect(query.rows).toEqual(tenant === 'alpha' ? [{ label: 'alpha-eu', revenue: 10, orders: 1 }, { label: 'alpha-us', revenue: 20, orders: 1 }] : [{ label: 'bravo-eu', revenue: 1000, orders: 1 }, { label: 'bravo-us', revenue: 2000, orders: 1 }]);
    });

    it('refuses names carrying SQL, quotes, dots, another case, look-alikes, names outside the pattern or the catalog, with 403 tenant_route_invalid', async () => {
      for (const value of refusedRoutes(backend.prefix)) {
        const results = await everyRoute(perch, await mint(perch, { tenant: value, regions }));
        for (const [name, status, text] of results) {
          for (const label of [...foreignLabels('alpha'), ...visibleLabels('alpha')]) expect(text, `${JSON.stringify(value)} ${name}`).not.toContain(label);
          if (name === 'tiles') {
            expect(text, `${JSON.stringify(value)} tiles`).toContain('"tenant_route_invalid"');
            continue;
          }
          expect(status, `${JSON.stringify(value)} ${name}: ${text}`).toBe(403);
          const body = JSON.parse(text) as { error: { code: string; path?: string; message: string } };
          expect(body.error.code, `${JSON.stringify(value)} ${name}`).toBe('tenant_route_invalid');
          expect(body.error.path).toBe('attributes.tenant');
          // The refusal never echoes the name, nor SQL.
          if (typeof value === 'string') expect(body.error.message).not.toContain(value);
          expect(text).not.toMatch(/SELECT|FROM|information_schema/);
        }
      }
      // The injection attempt changed nothing: bravo still answers.
      const after = await everyRoute(perch, tokens.bravo);
      expect(after[0]![1]).toBe(200);
    }, 120_000);

    it('refuses a token without the tenant attribute with 403 rls_attribute_missing', async () => {
      const results = await everyRoute(perch, await mint(perch, { regions }));
      for (const [name, status, text] of results) {
        for (const label of [...foreignLabels('alpha'), ...visibleLabels('alpha')]) expect(text, name).not.toContain(label);
        if (name === 'tiles') {
          expect(text).toContain('"rls_attribute_missing"');
          continue;
        }
        expect(status, `${name}: ${text}`).toBe(403);
        expect((JSON.parse(text) as { error: { code: string; path: string } }).error).toMatchObject({ code: 'rls_attribute_missing', path: 'attributes.tenant' });
      }
    });

    const createTenant = backend.createTenant;
    if (createTenant) it('serves a tenant created after start on its first request (the catalog is read again on a miss)', async () => {
      const fresh = `${backend.prefix}_t_fresh`;
      const before = await fetch(`${perch.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${await mint(perch, { tenant: fresh, regions })}`, 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'orders', dimensions: ['label'] }) });
      expect(before.status).toBe(403);
      await createTenant(fresh, 'fresh-eu');
      const token = await mint(perch, { tenant: fresh, regions });
      const response = await fetch(`${perch.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'orders', dimensions: ['label'] }) });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { rows: unknown[] }).rows).toEqual([{ label: 'fresh-eu' }]);
    });

    it('records the route in the audit trail and shows it in POST /v1/access/explain', async () => {
      await fetch(`${perch.url}/v1/query`, { method: 'POST', headers: { authorization: `Bearer ${tokens.alpha}`, 'content-type': 'application/json' }, body: JSON.stringify({ ...QUERY_FOR_AUDIT }) });
      const audit = await fetch(`${perch.url}/v1/audit?action=query.run&outcome=success&limit=1000`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      expect(audit.status).toBe(200);
      const events = ((await audit.json()) as { events: Array<{ distinctId?: string; details?: { route?: unknown } }> }).events;
      const alphaEvents = events.filter((event) => event.distinctId === `u-${t.alpha}`);
      expect(alphaEvents.length).toBeGreaterThan(0);
      for (const event of alphaEvents) expect(event.details?.route).toEqual({ [backend.kind]: t.alpha });

      // The dashboard's filter values are read under the same route, and say so too.
      const values = await fetch(`${perch.url}/v1/dashboards/sales/filter-values?member=label`, { headers: { authorization: `Bearer ${tokens.alpha}` } });
      expect(values.status).toBe(200);
      const valueAudit = await fetch(`${perch.url}/v1/audit?action=values.read&outcome=success&limit=1000`, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
      const valueEvents = ((await valueAudit.json()) as { events: Array<{ distinctId?: string; resource?: string; details?: { route?: unknown } }> }).events.filter(
        (event) => event.distinctId === `u-${t.alpha}` && event.resource === 'dashboard:sales',
      );
      expect(valueEvents.length).toBeGreaterThan(0);
      for (const event of valueEvents) expect(event.details?.route).toEqual({ [backend.kind]: t.alpha });

      const explain = async (tenant: unknown) => {
        const response = await fetch(`${perch.url}/v1/access/explain`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({ user: { distinctId: 'alice', role: 'viewer', attributes: tenant === undefined ? { regions } : { tenant, regions } }, dataset: 'orders' }),
        });
        expect(response.status).toBe(200);
        return (await response.json()) as { outcome: string; route: { kind: string; status: string; value?: unknown } };
      };
      expect(await explain(t.alpha)).toMatchObject({ outcome: 'filtered', route: { kind: backend.kind, status: 'bound', value: t.alpha } });
      expect(await explain(`${backend.prefix}_t_zulu`)).toMatchObject({ outcome: 'denied', route: { status: 'not_in_catalog' } });
      expect(await explain(t.alpha.toUpperCase())).toMatchObject({ outcome: 'denied', route: { status: 'route_invalid' } });
      expect(await explain(undefined)).toMatchObject({ outcome: 'denied', route: { status: 'attribute_missing' } });
    });

    it('answers 1,000 interleaved requests from two tenants (20 at a time, result cache on) each with its own tenant only', async () => {
      const started = performance.now();
      const { ok, cacheHits } = await interleaved(perch, tokens);
      const ms = Math.round(performance.now() - started);
      expect(ok).toBe(1000);
      // Most answers came from the cache, which therefore kept the tenants apart too.
      expect(cacheHits).toBeGreaterThan(500);
      console.info(`[routing ${backend.name}] 1000 interleaved requests in ${ms} ms, ${cacheHits} cache hits`);
      if (backend.openTenantConnections) {
        // The pool LRU is capped at one tenant database in these tests: pools were evicted and
        // reopened throughout, and at most one tenant database keeps connections afterwards.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await backend.openTenantConnections()).length).toBeLessThanOrEqual(1);
      }
    }, 120_000);
  });
}

const QUERY_FOR_AUDIT = { dataset: 'orders', measures: ['orders'], dimensions: ['region'] };
