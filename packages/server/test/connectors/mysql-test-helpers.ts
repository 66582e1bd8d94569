import mysql from 'mysql2/promise';

/** The test server; unreachable means the test fails (never skips), in CI and locally alike. */
export const TEST_MYSQL_URL = process.env.PERCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/** Runs statements with a plain mysql2 connection (setup and inspection only; connectors never take strings). */
export async function withMySqlAdmin<T>(run: (connection: mysql.Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: TEST_MYSQL_URL, multipleStatements: false, dateStrings: true });
  try {
    return await run(connection);
  } finally {
    await connection.end();
  }
}

/** A database name no other test run uses (tests create it and drop it afterwards). */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

/** TEST_MYSQL_URL pointed at another database on the same server. */
export function mysqlUrlFor(database: string, base: string = TEST_MYSQL_URL): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}
