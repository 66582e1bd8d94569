/**
 * `perch verify-isolation` compares governed answers with reference SQL written for DuckDB and
 * PostgreSQL; on a MySQL/MariaDB warehouse it says so plainly instead of comparing nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { verifyIsolation } from '../../src/verify/verify-isolation.js';
import { TEST_MYSQL_URL } from '../connectors/mysql-test-helpers.js';
import { MODEL_DIR } from '../query/warehouse-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'perch-verify-my-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('perch verify-isolation (mysql)', () => {
  it('refuses a MySQL/MariaDB warehouse with a clear message', async () => {
    const config = loadConfig({ env: {}, cwd: dir, overrides: { logLevel: 'silent', modelDir: MODEL_DIR, dataDir: join(dir, 'data'), warehouse: { type: 'mysql', url: TEST_MYSQL_URL } } });
    await expect(verifyIsolation(config)).rejects.toThrow('perch verify-isolation supports DuckDB and PostgreSQL warehouses; MySQL/MariaDB is not supported yet');
  });
});
