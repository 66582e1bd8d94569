// Exits non-zero when the MySQL/MariaDB server used by the tests is unreachable; creates the
// test database when the server answers but the database does not exist yet.
import mysql from 'mysql2/promise';

const url = process.env.PERCH_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
const target = new URL(url);
const database = decodeURIComponent(target.pathname.slice(1));
target.pathname = '/';
try {
  const connection = await mysql.createConnection({ uri: target.toString(), connectTimeout: 5000 });
  if (!/^[A-Za-z0-9_]+$/.test(database)) throw new Error(`unexpected test database name ${database}`);
  await connection.query(`CREATE DATABASE IF NOT EXISTS \`${database}\``);
  const [rows] = await connection.query('SELECT VERSION() AS version');
  await connection.end();
  console.log(`MySQL/MariaDB ${rows[0].version} reachable at ${url.replace(/\/\/[^@]*@/, '//')}`);
} catch (error) {
  console.error(`MySQL/MariaDB unreachable at ${url}: ${error.message}`);
  process.exit(1);
}
