import pg from 'pg';

/**
 * Drop a throwaway PostgreSQL schema a benchmark created, with everything in it.
 *
 * @example
 * ```ts
 * await dropSchema('postgres://postgres@127.0.0.1:5432/test', 'perch_bench_audit_1a2b3c4d');
 * ```
 */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
