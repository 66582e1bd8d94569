/**
 * Crash-test child: records events as fast as it can and prints each requestId only after its
 * `record()` resolved (i.e. after COMMIT). The parent SIGKILLs it mid-stream.
 * Usage: node --import tsx crash-writer.ts <workspace> <dataDir | postgres-url> [schema]
 */
import { randomUUID } from 'node:crypto';
import { createAuditTrail } from '../../src/audit/index.js';
import { openStoreDatabase } from '../../src/store/database.js';

const [workspaceArg, target, schema] = process.argv.slice(2);
if (!workspaceArg || !target) throw new Error('usage: crash-writer <workspace> <dataDir|url> [schema]');
const workspace: string = workspaceArg;
const store = await openStoreDatabase(target.startsWith('postgres') ? { databaseUrl: target, ...(schema ? { schema } : {}) } : { dataDir: target });
const trail = await createAuditTrail({ store, batchMs: 1, batchSize: 50 });
process.stdout.write('ready\n');

async function writer(): Promise<never> {
  for (;;) {
    const requestId = randomUUID();
    await trail.record({ workspace, action: 'query.run', outcome: 'success', requestId, details: { rowCount: 1 } });
    process.stdout.write(`${requestId}\n`);
  }
}
await Promise.all(Array.from({ length: 8 }, writer));
