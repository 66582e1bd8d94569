import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStoreDatabase } from './database.js';

describe('the embedded store settings', () => {
  it("run on top of PGlite's own: ours, and its fsync off and exit_on_error off", async () => {
    const store = await openStoreDatabase({ dataDir: 'memory://' });
    try {
      const { rows } = await sql<{ name: string; setting: string }>`
        select name, setting from pg_settings where name in ('wal_init_zero', 'full_page_writes', 'fsync', 'exit_on_error') order by name`.execute(store.db);
      expect(Object.fromEntries(rows.map((row) => [row.name, row.setting]))).toEqual({ exit_on_error: 'off', fsync: 'off', full_page_writes: 'off', wal_init_zero: 'off' });
    } finally {
      await store.close();
    }
  });
});
