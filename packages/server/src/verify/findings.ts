/**
 * What `perch verify-isolation` can find. Each kind has its own stable code, so a CI job can
 * allow-list a known warning without silencing a new violation.
 */
export const FINDING_CODES = {
  /** A policy names a column its dataset's source does not have. */
  policy_column_missing: 'violation',
  /** A policy column's warehouse type disagrees with the dimension declared over it. */
  policy_column_type_mismatch: 'violation',
  /** Rows whose tenant column is NULL or empty: no tenant sees them. */
  tenant_column_empty: 'warning',
  /** A dataset with `rowLevelSecurity: none` whose source has a tenant column used by a policy elsewhere. */
  public_dataset_tenant_column: 'violation',
  /** A join into a public dataset whose source carries a tenant column. */
  join_unscoped_tenant_data: 'violation',
  /** A join into a dataset whose policy binds other tenant attributes than the joining dataset's. */
  join_tenant_mismatch: 'violation',
  /** A governed answer differs from the reference SQL over the raw tables. */
  result_mismatch: 'violation',
  /** A governed answer holds a value that belongs to another sampled tenant only. */
  foreign_value_seen: 'violation',
  /** A generated governed query was refused or failed. */
  query_failed: 'violation',
} as const;

export type FindingCode = keyof typeof FINDING_CODES;

export interface Finding {
  readonly code: FindingCode;
  readonly severity: 'violation' | 'warning';
  readonly message: string;
  readonly dataset?: string;
  /** Model file and path, for findings about the model. */
  readonly file?: string;
  readonly path?: string;
  /** The governed query, for findings of the differential run. */
  readonly query?: unknown;
  readonly tenant?: string;
  /** The offending values (at most a few). */
  readonly values?: readonly unknown[];
}

/** A finding with the severity its code carries. */
export function finding(code: FindingCode, details: Omit<Finding, 'code' | 'severity'>): Finding {
  return { code, severity: FINDING_CODES[code], ...details };
}
