/**
 * The only thing a connector will execute.
 *
 * `GovernedSql` carries a brand made from a module-private `unique symbol`. No code outside the
 * engine can name the symbol, so no code outside the engine can build a value of this type
 * without a cast; the engine creates it at the end of the pipeline that runs the RLS transform
 * unconditionally, and in the startup column probe, which selects no row (`column-probe.ts`). A connector's `execute(query: GovernedSql)` therefore
 * accepts only SQL that went through row-level security, and a future code path that tries to
 * hand a connector raw SQL fails to compile.
 */
declare const governedBrand: unique symbol;

export type DialectName = 'duckdb' | 'postgres' | 'mysql';

/** A bound parameter value. Never interpolated into SQL text. */
export type SqlParameter = string | number | boolean | null | Date | ReadonlyArray<string | number>;

/**
 * Where a tenant-routed statement runs: the tenant's schema (already quoted into the SQL text) or
 * database (the connection it runs on). Part of the result-cache key and of the audit event.
 */
export type QueryRoute = { readonly schema: string } | { readonly database: string };

export interface GovernedSql {
  readonly dialect: DialectName;
  readonly sql: string;
  readonly parameters: readonly SqlParameter[];
  /** Ids of the RLS policies ANDed into this query, for the audit trail. */
  readonly policiesApplied: readonly string[];
  /** The tenant route, when the statement reads a routed dataset. */
  readonly route?: QueryRoute;
  /** The token attribute the route came from, to name it in a refusal (`attributes.<name>`). */
  readonly routeAttribute?: string;
  readonly [governedBrand]: true;
}

/**
 * Internal: seal compiled SQL as governed. Only the engine's governed pipeline may call this;
 * it is deliberately not re-exported from the package index.
 */
export function sealGoverned(value: Omit<GovernedSql, typeof governedBrand>): GovernedSql {
  return Object.freeze({ ...value, parameters: Object.freeze([...value.parameters]), policiesApplied: Object.freeze([...value.policiesApplied]) }) as GovernedSql;
}
