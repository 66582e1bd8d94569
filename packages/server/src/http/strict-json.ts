import { PerchError } from '@perch/protocol';

type Frame = { kind: 'object'; keys: Set<string>; key: string | undefined; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * Objects and arrays nested deeper than this are refused (`json_too_deep`). No Perch body comes
 * near it (a semantic query's filters nest at most 8 groups deep, about 20 levels of JSON).
 *
 * Why a limit at all: `JSON.parse` takes any depth, but code that walks a value recursively
 * (freezing it, validating it, copying it into an audit event) would overflow the stack on a
 * body of ten thousand nested arrays, well under the body size limit, and answer 500.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Parse a JSON request body, refusing duplicate object keys and nesting deeper than
 * {@link MAX_JSON_DEPTH}.
 *
 * `JSON.parse` silently keeps the last of two equal keys, so `{"role":"viewer","role":"admin"}`
 * could be read one way by a proxy or a host's validator and another way by Perch. Perch refuses
 * such bodies outright (`duplicate_key`, with the path of the second occurrence).
 *
 * @example
 * ```ts
 * parseStrictJson('{"a":1}'); // { a: 1 }
 * parseStrictJson('{"a":1,"a":2}'); // throws PerchError duplicate_key, path "a"
 * parseStrictJson('['.repeat(65) + ']'.repeat(65)); // throws PerchError json_too_deep
 * ```
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PerchError('invalid_json', { message: 'The request body is not valid JSON.' });
  }
  const problem = scanJson(text, MAX_JSON_DEPTH);
  if (problem?.kind === 'duplicate') throw new PerchError('duplicate_key', { path: problem.path, message: `${problem.path}: duplicate key` });
  if (problem?.kind === 'too_deep') throw new PerchError('json_too_deep', { path: problem.path, message: `${problem.path}: nested deeper than ${MAX_JSON_DEPTH} levels` });
  return value;
}

/** Scan text already known to be valid JSON; returns the path of the first repeated key. */
export function findDuplicateKey(text: string): string | undefined {
  const problem = scanJson(text, Number.POSITIVE_INFINITY);
  return problem?.kind === 'duplicate' ? problem.path : undefined;
}

type ScanProblem = { kind: 'duplicate' | 'too_deep'; path: string };

/**
 * One pass over valid JSON text, without recursion (so any depth is safe to scan): the first
 * repeated key, or the first object or array that opens deeper than `maxDepth`.
 */
function scanJson(text: string, maxDepth: number): ScanProblem | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '"') {
      const end = endOfString(text, i);
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        // Most keys have no escape: their text is the key (JSON.parse only for the rest).
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (top.keys.has(key)) return { kind: 'duplicate', path: pathOf(stack, key) };
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if ((ch === '{' || ch === '[') && stack.length >= maxDepth) return { kind: 'too_deep', path: containerPath(stack) };
    if (ch === '{') stack.push({ kind: 'object', keys: new Set(), key: undefined, expectKey: true });
    else if (ch === '[') stack.push({ kind: 'array', index: 0 });
    else if (ch === '}' || ch === ']') stack.pop();
    else if (ch === ',') {
      const top = stack[stack.length - 1];
      if (top?.kind === 'object') top.expectKey = true;
      else if (top?.kind === 'array') top.index += 1;
    }
    i += 1;
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') i += 2;
    else if (ch === '"') return i;
    else i += 1;
  }
  return text.length - 1;
}

/** Where the next value of the innermost open container sits, e.g. `filters[0].and[1]`. */
function containerPath(stack: Frame[]): string {
  let path = '';
  for (const frame of stack) {
    if (frame.kind === 'array') path += `[${frame.index}]`;
    else if (frame.key !== undefined) path += path === '' ? frame.key : `.${frame.key}`;
  }
  return path;
}

/** The path of `key` in the innermost open object. */
function pathOf(stack: Frame[], key: string): string {
  const parent = containerPath(stack.slice(0, -1));
  return parent === '' ? key : `${parent}.${key}`;
}
