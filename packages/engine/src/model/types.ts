import type { Role } from '@perch/protocol';
import type { MeasureExpression } from './expression.js';
import type { DashboardInput, ModelLiteral, RlsOperator } from './schema.js';

export type DimensionType = 'string' | 'number' | 'boolean' | 'time';
export type Aggregation = 'count' | 'countDistinct' | 'sum' | 'avg' | 'min' | 'max';

interface Describable {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly format: string | undefined;
  readonly synonyms: readonly string[];
}

export interface Dimension extends Describable {
  readonly column: string;
  readonly type: DimensionType;
}

export type Measure =
  | (Describable & { readonly kind: 'aggregate'; readonly aggregation: Aggregation; readonly column: string | '*' })
  | (Describable & { readonly kind: 'expression'; readonly expression: MeasureExpression });

export interface Join {
  readonly name: string;
  readonly dataset: string;
  /** Pairs of (column of this dataset, column of the joined dataset). */
  readonly on: ReadonlyArray<readonly [string, string]>;
}

export type RlsOperand = { readonly attribute: string } | { readonly value: ModelLiteral | readonly ModelLiteral[] };

/** A node of a row-level-security policy tree, with a stable id for the audit trail. */
export type PolicyNode =
  | { readonly kind: 'all' | 'any'; readonly id: string; readonly children: readonly PolicyNode[] }
  | {
      readonly kind: 'column';
      readonly id: string;
      readonly column: string;
      readonly operator: RlsOperator;
      readonly operand: RlsOperand;
      /**
       * The column's type, in which the comparison happens (DESIGN.md section 3). Taken from a
       * dimension of the dataset over the same column when the model is parsed, then confirmed or
       * supplied by the warehouse's catalog at startup ({@link withColumnTypes}). The RLS transform
       * refuses to bind a policy whose column type is still unknown.
       */
      readonly columnType: DimensionType | undefined;
    }
  | { readonly kind: 'user'; readonly id: string; readonly attribute: string; readonly operator: RlsOperator; readonly value: ModelLiteral | readonly ModelLiteral[] };

export interface MemberRule {
  readonly roles: readonly Role[] | undefined;
  readonly attribute: { readonly name: string; readonly values: readonly ModelLiteral[] } | undefined;
}

/**
 * A table whose schema (`kind: 'schema'`) or database (`kind: 'database'`) is taken from a token
 * attribute: schema-per-tenant and database-per-tenant warehouses.
 */
export interface TableRoute {
  readonly kind: 'schema' | 'database';
  /** The attribute holding the tenant's schema or database name; required (default deny). */
  readonly attribute: string;
  /** The pattern as written in the model, anchored `^…$`; a value must match all of it. */
  readonly pattern: string;
  /** The schema (database) the startup column probe reads the policy column types from. */
  readonly reference: string;
}

export type DatasetSource = { readonly table: string; readonly route?: TableRoute } | { readonly sql: string };

export interface Dataset {
  readonly name: string;
  readonly file: string;
  readonly title: string | undefined;
  readonly description: string | undefined;
  readonly source: DatasetSource;
  readonly dimensions: ReadonlyMap<string, Dimension>;
  readonly measures: ReadonlyMap<string, Measure>;
  readonly joins: ReadonlyMap<string, Join>;
  readonly memberRules: ReadonlyMap<string, MemberRule>;
  /** `'none'` is the explicit opt-out; anything else is ANDed into every query. */
  readonly rowLevelSecurity: 'none' | PolicyNode;
  /** Drill-down paths by name, coarsest level first (`geography → [region, customer.country]`). */
  readonly hierarchies: ReadonlyMap<string, readonly string[]>;
  /** The columns of "View rows"; undefined means the dataset's own dimensions. */
  readonly rowColumns: readonly string[] | undefined;
}

export type Dashboard = DashboardInput & { readonly file: string };

/** A validated, immutable semantic model. */
export interface Model {
  readonly datasets: ReadonlyMap<string, Dataset>;
  readonly dashboards: ReadonlyMap<string, Dashboard>;
}
