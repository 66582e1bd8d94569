import type { CustomTypesConfig } from 'pg';
import type { ColumnType } from './connector.js';
import { pgTimestampToIso } from './time-format.js';

/** Built-in PostgreSQL type OIDs that Perch normalises. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const NUMBER_OIDS = new Set<number>([OID.int8, OID.int2, OID.int4, OID.oid, OID.float4, OID.float8, OID.numeric]);
const TIME_OIDS = new Set<number>([OID.date, OID.timestamp, OID.timestamptz]);

export function postgresColumnType(oid: number): ColumnType {
  if (oid === OID.bool) return 'boolean';
  if (NUMBER_OIDS.has(oid)) return 'number';
  if (TIME_OIDS.has(oid)) return 'time';
  return 'string';
}

const identity = (text: string): string => text;
const toNumber = (text: string): number => Number(text); // 'NaN', 'Infinity' parse as their JS twins
const toBoolean = (text: string): boolean => text === 't';

/**
 * Per-pool type parsers (the `types` option of the client config, never the process-global
 * `pg.types`, so other pg users in the process are unaffected). Every value arrives as text and
 * is normalised exactly as the DuckDB connector does; any other type (arrays, json, intervals…)
 * stays as PostgreSQL's text so a cell is always a scalar.
 */
export const perchPostgresTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return identity;
    if (oid === OID.bool) return toBoolean;
    if (NUMBER_OIDS.has(oid)) return toNumber;
    if (oid === OID.timestamp || oid === OID.timestamptz) return pgTimestampToIso;
    return identity; // date stays 'YYYY-MM-DD' (DateStyle=ISO is pinned per connection)
  }) as CustomTypesConfig['getTypeParser'],
};
