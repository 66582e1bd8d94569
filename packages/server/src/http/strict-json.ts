import { PerchError } from '@perch/protocol';

type Frame = { kind: 'object'; keys: Set<string>; key: string | undefined; expectKey: boolean } | { kind: 'array'; index: number };

/**
 * Parse a JSON request body, refusing duplicate object keys.
 *
 * `JSON.parse` silently keeps the last of two equal keys, so `{"role":"viewer","role":"admin"}`
 * could be read one way by a proxy or a host's validator and another way by Perch. Perch refuses
 * such bodies outright (`duplicate_key`, with the path of the second occurrence).
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PerchError('invalid_json', { message: 'The request body is not valid JSON.' });
  }
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) throw new PerchError('duplicate_key', { path: duplicate, message: `${duplicate}: duplicate key` });
  return value;
}

/** Scan text already known to be valid JSON; returns the path of the first repeated key. */
export function findDuplicateKey(text: string): string | undefined {
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
        if (top.keys.has(key)) return pathOf(stack, key);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
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

function pathOf(stack: Frame[], key: string): string {
  let path = '';
  for (const frame of stack.slice(0, -1)) {
    if (frame.kind === 'array') path += `[${frame.index}]`;
    else if (frame.key !== undefined) path += path === '' ? frame.key : `.${frame.key}`;
  }
  return path === '' ? key : `${path}.${key}`;
}
