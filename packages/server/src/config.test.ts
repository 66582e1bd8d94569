import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const load = (env: Record<string, string>, overrides: Record<string, unknown> = {}) => loadConfig({ env, cwd: '/nonexistent-perch-config-dir', overrides });

describe('trustProxy', () => {
  it('is off by default', () => {
    expect(load({}).trustProxy).toBe(false);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['uniquelocal', 'uniquelocal'],
    ['10.0.0.0/8, 192.168.1.7, fd00::/8, loopback', '10.0.0.0/8, 192.168.1.7, fd00::/8, loopback'],
  ])('reads PERCH_TRUST_PROXY=%s', (value, expected) => {
    expect(load({ PERCH_TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it.each(['2', 'everyone', '10.0.0.0/33', '::1/129', '10.0.0.1/8/8', '10.0.0.1,', '*'])('refuses PERCH_TRUST_PROXY=%s with the option named', (value) => {
    expect(() => load({ PERCH_TRUST_PROXY: value })).toThrowError(ConfigError);
    expect(() => load({ PERCH_TRUST_PROXY: value })).toThrowError(/trustProxy/);
  });
});

describe('limits.authFailuresPerMinute', () => {
  it('defaults to 300 and refuses values below 1', () => {
    expect(load({}).limits.authFailuresPerMinute).toBe(300);
    expect(() => load({}, { limits: { authFailuresPerMinute: 0 } })).toThrowError(/limits\.authFailuresPerMinute/);
  });
});

describe('warehouse', () => {
  it('picks the connector from the scheme of PERCH_WAREHOUSE_URL', () => {
    expect(load({ PERCH_WAREHOUSE_URL: 'mysql://perch_reader@db:3306/app' }).warehouse).toEqual({ type: 'mysql', url: 'mysql://perch_reader@db:3306/app', poolSize: 10 });
    expect(load({ PERCH_WAREHOUSE_URL: 'mariadb://perch_reader@db/app' }).warehouse.type).toBe('mysql');
    expect(load({ PERCH_WAREHOUSE_URL: 'postgres://perch@db/app' }).warehouse).toEqual({ type: 'postgres', url: 'postgres://perch@db/app', poolSize: 10 });
  });

  it('accepts { type: mysql, url } and refuses a url of another scheme, with its path', () => {
    expect(load({}, { warehouse: { type: 'mysql', url: 'mysql://r@db/app', poolSize: 4 } }).warehouse).toEqual({ type: 'mysql', url: 'mysql://r@db/app', poolSize: 4 });
    expect(() => load({}, { warehouse: { type: 'mysql', url: 'postgres://r@db/app' } })).toThrow(/warehouse\.url/);
  });
});
