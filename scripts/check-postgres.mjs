// Exits non-zero when the PostgreSQL used by the tests is unreachable.
import pg from 'pg';

const url = process.env.PERCH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
try {
  await client.connect();
  await client.query('select 1');
  await client.end();
  console.log(`PostgreSQL reachable at ${url.replace(/\/\/[^@]*@/, '//')}`);
} catch (error) {
  console.error(`PostgreSQL unreachable at ${url}: ${error.message}`);
  process.exit(1);
}
