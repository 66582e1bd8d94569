import type { DialectName } from '../../../engine/src/governed.js';

/**
 * The tiny dataset every connector test loads, written once per dialect. Rows of tenant
 * `globex` hold canary values that must never show up in a query scoped to `acme`.
 */
export const CANARY = 'CANARY_GLOBEX_7f3a';

export const FIXTURE_COLUMNS = 'id, tenant, amount, qty, price, active, created_at, day, note';

export const FIXTURE_ROWS: ReadonlyArray<readonly [number, string, number, number, string, boolean, string, string, string | null]> = [
  [1, 'acme', 10.5, 1, '1.25', true, '2026-01-31 00:00:00', '2026-01-31', 'first'],
  [2, 'acme', 20.25, 2, '2.50', false, '2026-02-01 12:30:45.123', '2026-02-01', null],
  [3, 'acme', -3.75, 9007199254740991, '0.10', true, '2025-12-31 23:59:59.999', '2025-12-31', 'ütf-8 ✓'],
  [4, 'globex', 999.99, 4, '4.00', true, '2026-03-15 08:00:00', '2026-03-15', CANARY],
  [5, 'globex', 1234.5, 5, '5.55', false, '2026-04-01 00:00:00', '2026-04-01', CANARY],
  [6, 'initech', 0, 0, '0.00', false, '1999-12-31 23:59:59', '1999-12-31', ''],
];

/**
 * DDL + inserts in the SQL both DuckDB and PostgreSQL accept; MySQL needs string lengths,
 * `DATETIME(3)` for millisecond timestamps, and a binary collation so comparisons are exact.
 */
export function fixtureStatements(table: string, dialect: DialectName): string[] {
  const bigint = dialect === 'duckdb' ? 'BIGINT' : 'bigint';
  const text = dialect === 'mysql' ? 'VARCHAR(64)' : 'VARCHAR';
  const timestamp = dialect === 'mysql' ? 'DATETIME(3)' : 'TIMESTAMP';
  const tableOptions = dialect === 'mysql' ? ' DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin' : '';
  const literal = (v: string | number | boolean | null): string => (v === null ? 'NULL' : typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v));
  const values = FIXTURE_ROWS.map(
    ([id, tenant, amount, qty, price, active, createdAt, day, note]) =>
      `(${id}, ${literal(tenant)}, ${amount}, ${qty}, ${price}, ${active}, TIMESTAMP ${literal(createdAt)}, DATE ${literal(day)}, ${literal(note)})`,
  );
  return [
    `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, tenant ${text} NOT NULL, amount DOUBLE PRECISION, qty ${bigint}, price NUMERIC(10,2), active BOOLEAN, created_at ${timestamp}, day DATE, note ${text})${tableOptions}`,
    `INSERT INTO ${table} (${FIXTURE_COLUMNS}) VALUES ${values.join(', ')}`,
  ];
}

/** What every connector must return for `SELECT * … ORDER BY id`: one normalised shape for all. */
export const EXPECTED_ROWS = [
  { id: 1, tenant: 'acme', amount: 10.5, qty: 1, price: 1.25, active: true, created_at: '2026-01-31T00:00:00.000Z', day: '2026-01-31', note: 'first' },
  { id: 2, tenant: 'acme', amount: 20.25, qty: 2, price: 2.5, active: false, created_at: '2026-02-01T12:30:45.123Z', day: '2026-02-01', note: null },
  { id: 3, tenant: 'acme', amount: -3.75, qty: 9007199254740991, price: 0.1, active: true, created_at: '2025-12-31T23:59:59.999Z', day: '2025-12-31', note: 'ütf-8 ✓' },
  { id: 4, tenant: 'globex', amount: 999.99, qty: 4, price: 4, active: true, created_at: '2026-03-15T08:00:00.000Z', day: '2026-03-15', note: CANARY },
  { id: 5, tenant: 'globex', amount: 1234.5, qty: 5, price: 5.55, active: false, created_at: '2026-04-01T00:00:00.000Z', day: '2026-04-01', note: CANARY },
  { id: 6, tenant: 'initech', amount: 0, qty: 0, price: 0, active: false, created_at: '1999-12-31T23:59:59.000Z', day: '1999-12-31', note: '' },
];

export const EXPECTED_COLUMNS = [
  { name: 'id', type: 'number' },
  { name: 'tenant', type: 'string' },
  { name: 'amount', type: 'number' },
  { name: 'qty', type: 'number' },
  { name: 'price', type: 'number' },
  { name: 'active', type: 'boolean' },
  { name: 'created_at', type: 'time' },
  { name: 'day', type: 'time' },
  { name: 'note', type: 'string' },
];
