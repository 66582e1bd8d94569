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
