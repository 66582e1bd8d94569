/**
 * Child process for pglite-worker-dialect.test.ts: opens an embedded store, prints one query's
 * answer and never closes the store. The process must still print (a pending query keeps it
 * alive) and then exit by itself (an idle store worker does not).
 */
import { sql } from 'kysely';
import { openStoreDatabase } from './database.js';

const store = await openStoreDatabase({ dataDir: 'memory://' });
const { rows } = await sql<{ answer: number }>`select 6 * 7 as answer`.execute(store.db);
process.stdout.write(`${rows[0]?.answer}\n`);
