import { describe, expect, it } from 'vitest';
import { deepFreeze, isDeeplyFrozen } from './deep-freeze.js';

describe('deepFreeze', () => {
  it('freezes every object reachable from the value and returns it', () => {
    const value = { user: { attributes: { regions: ['EU', 'US'] } }, n: 1 };
    expect(deepFreeze(value)).toBe(value);
    expect(Object.isFrozen(value.user.attributes.regions)).toBe(true);
    expect(() => value.user.attributes.regions.push('APAC')).toThrow(TypeError);
    expect(isDeeplyFrozen(value)).toBe(true);
  });

  it('isDeeplyFrozen is false while any nested object can still change', () => {
    expect(isDeeplyFrozen(Object.freeze({ a: [1] }))).toBe(false);
    expect(isDeeplyFrozen({ a: 1 })).toBe(false);
    expect(isDeeplyFrozen('text')).toBe(true);
  });
});
