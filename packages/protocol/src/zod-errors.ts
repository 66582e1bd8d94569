import type { z } from 'zod';
import { PerchError, type ErrorCode, isErrorCode } from './errors.js';

/** Render a zod issue path as `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Turn the first zod issue into a PerchError with a stable code and a field path.
 * Custom refinements pass their code through `params: { code }`.
 */
export function perchErrorFromZod(error: z.ZodError, fallback: ErrorCode = 'invalid_request'): PerchError {
  const issue = error.issues[0];
  if (!issue) return new PerchError(fallback);
  let path = formatPath(issue.path);
  let code: ErrorCode = fallback;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      path = path ? `${path}.${key}` : key;
      code = key === '__proto__' || key === 'constructor' || key === 'prototype' ? 'forbidden_key' : 'unknown_field';
      break;
    }
    case 'invalid_type':
      code = issue.input === undefined ? 'missing_field' : 'invalid_type';
      break;
    case 'invalid_union':
    case 'invalid_value':
      code = issue.code === 'invalid_value' ? 'invalid_request' : 'invalid_type';
      break;
    case 'too_big':
      code = 'value_too_large';
      break;
    case 'custom': {
      const custom = (issue.params as { code?: unknown } | undefined)?.code;
      if (isErrorCode(custom)) code = custom;
      break;
    }
    default:
      code = fallback;
  }
  return new PerchError(code, { path, message: clientMessage(code, path, issue.message) });
}

function clientMessage(code: ErrorCode, path: string, zodMessage: string): string {
  // zod's messages describe the client's own input only, so they are safe to return.
  return path ? `${path}: ${zodMessage}` : `${code}: ${zodMessage}`;
}

/** Parse with a zod schema, throwing a PerchError on failure. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, fallback: ErrorCode = 'invalid_request'): z.output<T> {
  // reportInput lets a missing field (input undefined) be told apart from a wrong type.
  const result = schema.safeParse(input, { reportInput: true });
  if (!result.success) throw perchErrorFromZod(result.error, fallback);
  return result.data;
}
