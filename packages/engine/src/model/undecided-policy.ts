/**
 * `perch init` writes a dataset's row-level security as a stub it cannot decide:
 *
 * ```yaml
 * rowLevelSecurity: { undecided: { candidates: [customer_id] } }
 * ```
 *
 * Who may see which rows is the developer's decision, so the stub never validates: `perch check`
 * names the dataset, the candidate tenant columns and the two ways out (a policy, or `none`), and
 * Perch refuses to start on it. Default deny holds until someone decides.
 */
import type { ModelIssue } from './model-error.js';

/** The key of the stub, chosen so that it can never be mistaken for a policy. */
export const UNDECIDED_KEY = 'undecided';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `customer_id` → `customerId`: the attribute name the suggestion uses. */
function attributeFor(column: string): string {
  return column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** The message `perch check` prints for a stub with these candidate tenant columns. */
export function undecidedMessage(candidates: readonly string[]): string {
  const example = candidates[0] ?? 'tenant_id';
  const found = candidates.length > 0 ? `candidate tenant columns: ${candidates.join(', ')}` : 'no tenant-like column was found (tenant_id, customer_id, org_id, account_id, …)';
  return (
    `row-level security not decided yet (${found}). Replace the stub with a policy, e.g. ` +
    `rowLevelSecurity: { column: ${example}, equals: { attribute: ${attributeFor(example)} } }, ` +
    `or, only if every user may see every row, rowLevelSecurity: none`
  );
}

/**
 * Report every undecided stub of one model file and return the file's content with each stub
 * replaced by `none`, so that the rest of the file is still validated and all its problems are
 * reported at once. The model as a whole is refused, because the issues are kept.
 */
export function takeUndecidedPolicies(raw: unknown, file: string, issues: ModelIssue[]): unknown {
  if (!isRecord(raw) || !isRecord(raw.datasets)) return raw;
  let datasets: Record<string, unknown> | undefined;
  for (const [name, dataset] of Object.entries(raw.datasets)) {
    if (!isRecord(dataset) || !isRecord(dataset.rowLevelSecurity) || !(UNDECIDED_KEY in dataset.rowLevelSecurity)) continue;
    const stub = dataset.rowLevelSecurity[UNDECIDED_KEY];
    const listed = isRecord(stub) && Array.isArray(stub.candidates) ? stub.candidates : [];
    const candidates = listed.filter((c): c is string => typeof c === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(c));
    issues.push({ file, path: `datasets.${name}.rowLevelSecurity`, message: undecidedMessage(candidates) });
    datasets ??= { ...raw.datasets };
    datasets[name] = { ...dataset, rowLevelSecurity: 'none' };
  }
  return datasets ? { ...raw, datasets } : raw;
}
