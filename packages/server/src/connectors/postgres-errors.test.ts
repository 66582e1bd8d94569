import { describe, expect, it } from 'vitest';
import { classifyPostgresError } from './postgres-errors.js';

describe('classifyPostgresError', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'datasource_unavailable'],
    [new Error('Connection terminated unexpectedly'), 'datasource_unavailable'],
    [new Error('timeout exceeded when trying to connect'), 'datasource_unavailable'],
    [{ code: '57P01', severity: 'FATAL', message: 'terminating connection due to administrator command' }, 'datasource_unavailable'],
    [{ code: '08006', severity: 'FATAL', message: 'connection failure' }, 'datasource_unavailable'],
    [{ code: '28P01', severity: 'FATAL', message: 'password authentication failed for user "perch"' }, 'datasource_unavailable'],
    [{ code: '3D000', severity: 'FATAL', message: 'database "nope" does not exist' }, 'datasource_unavailable'],
    [{ code: '57014', severity: 'ERROR', message: 'canceling statement due to statement timeout' }, 'query_timeout'],
    [{ code: '42703', severity: 'ERROR', message: 'column "x" does not exist' }, 'internal_error'],
    [{ code: '25006', severity: 'ERROR', message: 'cannot execute INSERT in a read-only transaction' }, 'internal_error'],
  ])('classifies %o as %s', (error, code) => {
    const classified = classifyPostgresError(error);
    expect(classified.code).toBe(code);
    expect(classified.message).not.toContain(String((error as { message: string }).message));
  });
});
