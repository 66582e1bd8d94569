import type { z } from 'zod';
import { formatPath } from '@perch/protocol';

export interface PathIssue {
  path: string;
  message: string;
}

/**
 * Flatten zod issues into `{path, message}` pairs. For a union (e.g. a policy that is either a
 * group, a column condition or a user condition) the branch with the fewest issues is the one the
 * author most likely meant, so its issues are reported instead of a vague "invalid input".
 */
export function flattenZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const best = [...issue.errors].sort((a, b) => branchScore(a) - branchScore(b))[0] ?? [];
      if (best.length > 0) {
        out.push(...flattenZodIssues(best, path));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: `unknown key "${key}"` });
      continue;
    }
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}

function branchScore(issues: readonly z.core.$ZodIssue[]): number {
  let score = 0;
  for (const issue of issues) {
    if ((issue.code === 'invalid_type' || issue.code === 'invalid_value') && issue.path.length === 0) score += 1000;
    else if (issue.code === 'unrecognized_keys') score += issue.keys.length;
    else score += 1;
  }
  return score;
}
