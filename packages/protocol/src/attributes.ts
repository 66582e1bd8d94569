import { PerchError } from './errors.js';

/** Limits from DESIGN.md section 2. */
export const ATTRIBUTE_LIMITS = {
  maxKeys: 50,
  keyPattern: /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
  maxStringBytes: 1024,
  maxArrayLength: 1000,
} as const;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export type AttributeScalar = string | number | boolean;
export type AttributeValue = AttributeScalar | ReadonlyArray<string | number>;
export type Attributes = Readonly<Record<string, AttributeValue>>;

const encoder = new TextEncoder();

function checkString(value: string, path: string): void {
  if (value.includes('\u0000')) throw new PerchError('nul_byte', { path, message: `${path}: NUL bytes are not allowed` });
  if (encoder.encode(value).byteLength > ATTRIBUTE_LIMITS.maxStringBytes) {
    throw new PerchError('value_too_large', { path, message: `${path}: at most ${ATTRIBUTE_LIMITS.maxStringBytes} UTF-8 bytes` });
  }
}

function checkNumber(value: number, path: string): void {
  if (!Number.isFinite(value)) throw new PerchError('invalid_attribute_value', { path, message: `${path}: numbers must be finite` });
}

/**
 * Validate user attributes against DESIGN.md section 2 and return a null-prototype copy.
 * Own keys are read with `Object.keys`, so `__proto__` given as a JSON key (which JSON.parse
 * creates as an own property) is seen and refused rather than silently altering a prototype.
 */
export function validateAttributes(input: unknown, basePath = 'user.attributes'): Attributes {
  if (input === undefined) return Object.freeze(Object.create(null) as Record<string, AttributeValue>);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new PerchError('invalid_type', { path: basePath, message: `${basePath}: must be an object` });
  }
  const keys = Object.keys(input);
  if (keys.length > ATTRIBUTE_LIMITS.maxKeys) {
    throw new PerchError('too_many_attributes', { path: basePath, message: `${basePath}: at most ${ATTRIBUTE_LIMITS.maxKeys} keys` });
  }
  const out = Object.create(null) as Record<string, AttributeValue>;
  for (const key of keys) {
    const path = `${basePath}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) throw new PerchError('forbidden_key', { path, message: `${path}: this key is reserved` });
    if (!ATTRIBUTE_LIMITS.keyPattern.test(key)) {
      throw new PerchError('invalid_attribute_key', { path, message: `${path}: keys must match ${ATTRIBUTE_LIMITS.keyPattern.source}` });
    }
    const value = (input as Record<string, unknown>)[key];
    out[key] = validateAttributeValue(value, path);
  }
  return Object.freeze(out);
}

function validateAttributeValue(value: unknown, path: string): AttributeValue {
  switch (typeof value) {
    case 'string':
      checkString(value, path);
      return value;
    case 'number':
      checkNumber(value, path);
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) throw new PerchError('invalid_attribute_value', { path, message: `${path}: null is not allowed` });
      if (!Array.isArray(value)) throw new PerchError('invalid_attribute_value', { path, message: `${path}: nested objects are not allowed` });
      if (value.length > ATTRIBUTE_LIMITS.maxArrayLength) {
        throw new PerchError('value_too_large', { path, message: `${path}: at most ${ATTRIBUTE_LIMITS.maxArrayLength} items` });
      }
      const items: Array<string | number> = [];
      value.forEach((item: unknown, index) => {
        const itemPath = `${path}[${index}]`;
        if (typeof item === 'string') checkString(item, itemPath);
        else if (typeof item === 'number') checkNumber(item, itemPath);
        else throw new PerchError('invalid_attribute_value', { path: itemPath, message: `${itemPath}: array items must be strings or numbers` });
        items.push(item);
      });
      return Object.freeze(items);
    }
    default:
      throw new PerchError('invalid_attribute_value', { path, message: `${path}: unsupported value type` });
  }
}
