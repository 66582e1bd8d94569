import type { CellValue, ColumnType } from './connector.js';
import { sqlTimestampToIso } from './time-format.js';

/** MySQL protocol column types (`enum_field_types`) that Perch normalises. */
const TYPE = {
  decimal: 0,
  tiny: 1,
  short: 2,
  long: 3,
  float: 4,
  double: 5,
  timestamp: 7,
  longlong: 8,
  int24: 9,
  date: 10,
  datetime: 12,
  year: 13,
  newdate: 14,
  newdecimal: 246,
} as const;

const NUMBER_TYPES = new Set<number>([TYPE.decimal, TYPE.tiny, TYPE.short, TYPE.long, TYPE.float, TYPE.double, TYPE.longlong, TYPE.int24, TYPE.year, TYPE.newdecimal]);
const TIMESTAMP_TYPES = new Set<number>([TYPE.timestamp, TYPE.datetime]);
const DATE_TYPES = new Set<number>([TYPE.date, TYPE.newdate]);

/** The part of a column definition packet the type mapping reads. */
export interface MySqlField {
  name: string;
  columnType?: number;
  columnLength?: number;
}

/**
 * A column's Perch type from result metadata alone, so a zero-row result (the startup column
 * probe) is typed too. MySQL has no boolean type: `BOOLEAN` is `TINYINT(1)`, reported as a TINY
 * of display width 1, and only that is a boolean (a wider TINYINT stays a number).
 */
export function mysqlColumnType(field: MySqlField): ColumnType {
  const type = field.columnType ?? -1;
  if (type === TYPE.tiny && field.columnLength === 1) return 'boolean';
  if (NUMBER_TYPES.has(type)) return 'number';
  if (TIMESTAMP_TYPES.has(type) || DATE_TYPES.has(type)) return 'time';
  return 'string';
}

/**
 * Normalises one cell exactly as the other connectors do. The pool is opened with
 * `dateStrings`, `jsonStrings` and `supportBigNumbers`, so temporal values arrive as the
 * server's text (session time zone pinned to UTC), DECIMALs and unsafe BIGINTs as text, and
 * JSON as text; binary values arrive as Buffers and leave as base64.
 */
export function mysqlCell(field: MySqlField, type: ColumnType, value: unknown): CellValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'boolean':
      return Number(value) !== 0;
    case 'number':
      return typeof value === 'number' ? value : Number(value);
    case 'time':
      if (typeof value !== 'string') return String(value);
      return DATE_TYPES.has(field.columnType ?? -1) ? value : sqlTimestampToIso(value);
    case 'string':
      if (typeof value === 'string') return value;
      if (Buffer.isBuffer(value)) return value.toString('base64');
      return typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  }
}
