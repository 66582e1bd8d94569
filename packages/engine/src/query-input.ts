/**
 * Validation of the raw client query before planning. Filter trees are walked by hand first, so
 * depth and size limits hold before any recursive parser sees a hostile input, and so each problem
 * gets its exact code and path (`filters[2].or[0].operator`) instead of a generic union error.
 */
import { z } from 'zod';
import { FILTER_OPERATORS, MEMBER_NAME_PATTERN, PerchError, QUERY_LIMITS, SemanticQuerySchema, perchErrorFromZod, type SemanticQuery } from '@perch/protocol';

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function parseSemanticQuery(raw: unknown): SemanticQuery {
  if (isPlainObject(raw) && Array.isArray(raw['filters'])) {
    const counter = { leaves: 0 };
    raw['filters'].forEach((filter, i) => checkFilter(filter, `filters[${i}]`, 1, counter));
  }
  // reportInput lets the error mapper tell a missing field from a wrongly typed one.
  const parsed = SemanticQuerySchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw perchErrorFromZod(new z.ZodError([pickIssue(parsed.error.issues)]), 'invalid_request');
  return parsed.data;
}

function checkFilter(filter: unknown, path: string, depth: number, counter: { leaves: number }): void {
  if (depth > QUERY_LIMITS.maxFilterDepth) {
    throw new PerchError('filter_too_deep', { path, message: `${path}: filters nest at most ${QUERY_LIMITS.maxFilterDepth} levels deep` });
  }
  if (!isPlainObject(filter)) throw new PerchError('invalid_type', { path, message: `${path}: a filter is an object` });
  for (const group of ['and', 'or'] as const) {
    if (group in filter) {
      const items = filter[group];
      if (!Array.isArray(items)) throw new PerchError('invalid_type', { path: `${path}.${group}`, message: `${path}.${group}: must be an array` });
      items.forEach((item, i) => checkFilter(item, `${path}.${group}[${i}]`, depth + 1, counter));
      return;
    }
  }
  counter.leaves += 1;
  if (counter.leaves > QUERY_LIMITS.maxFilters) {
    throw new PerchError('too_many_filters', { path, message: `${path}: at most ${QUERY_LIMITS.maxFilters} filter conditions` });
  }
  const member = filter['member'];
  if (typeof member !== 'string' || !MEMBER_NAME_PATTERN.test(member)) {
    throw new PerchError('unknown_member', { path: `${path}.member`, message: `${path}.member: not a member name` });
  }
  const values = filter['values'];
  if (values !== undefined) {
    if (!Array.isArray(values)) throw new PerchError('invalid_filter_value', { path: `${path}.values`, message: `${path}.values: must be an array` });
    values.forEach((value: unknown, i) => {
      if (typeof value !== 'string' && typeof value !== 'boolean' && !(typeof value === 'number' && Number.isFinite(value))) {
        throw new PerchError('invalid_filter_value', { path: `${path}.values[${i}]`, message: `${path}.values[${i}]: must be a string, number or boolean` });
      }
    });
  }
  const operator = filter['operator'];
  if (typeof operator !== 'string' || !(FILTER_OPERATORS as readonly string[]).includes(operator)) {
    throw new PerchError('unknown_operator', { path: `${path}.operator`, message: `${path}.operator: unknown operator` });
  }
}

/** For a union, the branch with the fewest issues is the one the client meant. */
function pickIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  let issue = issues[0] as z.core.$ZodIssue;
  let prefix: PropertyKey[] = [];
  while (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // The branch that got furthest into the input (deepest path), then the one with fewest issues.
    const depth = (branch: readonly z.core.$ZodIssue[]) => Math.max(0, ...branch.map((i) => i.path.length));
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0];
    if (!best?.[0]) break;
    prefix = [...prefix, ...issue.path];
    issue = best[0];
  }
  return { ...issue, path: [...prefix, ...issue.path] } as z.core.$ZodIssue;
}
