import { describe, expect, it } from 'vitest';
import { classifyMySqlError } from './mysql-errors.js';

const serverError = (errno: number, sqlState: string, message = 'boom'): Error => Object.assign(new Error(message), { errno, sqlState, code: 'ER_X' });

describe('classifyMySqlError', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', fatal: true }), 'datasource_unavailable'],
    ['connection lost', Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }), 'datasource_unavailable'],
    ['too many connections', serverError(1040, '08004'), 'datasource_unavailable'],
    ['access denied', serverError(1045, '28000'), 'datasource_unavailable'],
    ['unknown database', serverError(1049, '42000'), 'datasource_unavailable'],
    ['MariaDB max_statement_time', serverError(1969, '70100'), 'query_timeout'],
    ['MySQL max_execution_time', serverError(3024, 'HY000'), 'query_timeout'],
    ['unknown column', serverError(1054, '42S22', "Unknown column 'secret' in 'field list'"), 'internal_error'],
    ['read-only transaction', serverError(1792, '25006'), 'internal_error'],
  ])('%s → %s', (_, error, code) => {
    const perch = classifyMySqlError(error);
    expect(perch.code).toBe(code);
    expect(perch.message).not.toContain('secret');
  });
});
