/**
 * Per-database pools: an LRU of at most `maxPools` real (DuckDB in-memory) connectors, closed
 * when evicted or idle, never under a running statement.
 */
import { describe, expect, it } from 'vitest';
import { compileRouteCatalog } from '@perch/engine';
import { createDuckDBConnector } from './duckdb-connector.js';
import type { Connector } from './connector.js';
import { TenantPools } from './tenant-pools.js';

/** Opens real in-memory DuckDB connectors, recording which databases were opened and closed. */
function opener() {
  const opened: string[] = [];
  const closed: string[] = [];
  const open = async (database: string): Promise<Connector> => {
    opened.push(database);
    const connector = await createDuckDBConnector({ type: 'duckdb', path: ':memory:', poolSize: 1 });
    return {
      dialect: connector.dialect,
      execute: (query, options) => connector.execute(query, options),
      ping: () => connector.ping(),
      close: async () => {
        closed.push(database);
        await connector.close();
      },
    };
  };
  return { open, opened, closed };
}

const LIST = compileRouteCatalog('duckdb', 'schema');

describe('TenantPools', () => {
  it('keeps at most maxPools pools, closing the least recently used', async () => {
    const { open, opened, closed } = opener();
    const pools = new TenantPools({ open, maxPools: 2, idleMs: 60_000 });
    for (const database of ['a', 'b', 'a', 'c', 'a', 'b']) await pools.run(database, (c) => c.execute(LIST));
    expect(opened).toEqual(['a', 'b', 'c', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toEqual(['b', 'c']);
    expect(pools.open.sort()).toEqual(['a', 'b']);
    await pools.close();
    expect(closed.sort()).toEqual(['a', 'b', 'b', 'c']);
  });

  it('closes an evicted pool only after its running statement finishes', async () => {
    const { open, closed } = opener();
    const pools = new TenantPools({ open, maxPools: 1, idleMs: 60_000 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = pools.run('a', async (c) => {
      await gate;
      return c.execute(LIST);
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await pools.run('b', (c) => c.execute(LIST));
    expect(closed).toEqual([]);
    release();
    const rows = await running;
    expect(rows.rows.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toEqual(['a']);
    await pools.close();
  });

  it('closes a pool left idle', async () => {
    const { open, closed } = opener();
    const pools = new TenantPools({ open, maxPools: 5, idleMs: 150 });
    await pools.run('a', (c) => c.execute(LIST));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(closed).toEqual(['a']);
    expect(pools.open).toEqual([]);
    await pools.close();
  });

  it('forgets a pool that failed to open, so the next request dials again', async () => {
    let attempts = 0;
    const pools = new TenantPools({
      open: async () => {
        attempts += 1;
        throw new Error('connection refused');
      },
      maxPools: 2,
      idleMs: 60_000,
    });
    await expect(pools.run('a', async () => 1)).rejects.toMatchObject({ code: 'datasource_unavailable' });
    await expect(pools.run('a', async () => 1)).rejects.toMatchObject({ code: 'datasource_unavailable' });
    expect(attempts).toBe(2);
    await pools.close();
  });
});
