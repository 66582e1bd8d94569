/**
 * The planner contract. A planner turns a question into a semantic query over the catalog this
 * user may see, or asks a clarifying question. It never writes SQL and never decides who the user
 * is: identity, attributes and scope come only from the verified token, further down the path.
 */
import type { SemanticQuery } from '@perch/protocol';
import type { Catalog } from '@perch/engine';

/** A dashboard chart in the token's scope, offered to planners as a ready-made question. */
export interface PlannerChart {
  dashboard: string;
  chart: string;
  title: string;
  query: SemanticQuery;
}

/** A previous turn of the conversation: what was asked and which query answered it. */
export interface PlannerTurn {
  question: string;
  query?: SemanticQuery;
}

export interface ValueLookup {
  dataset: string;
  member: string;
  /** Case-insensitive prefix the values must start with. */
  search: string;
}

/**
 * Distinct values of a dimension, through the same RLS-filtered path as filter widgets: a planner
 * can only ever learn values this user may already see.
 */
export type LookupValues = (lookup: ValueLookup) => Promise<string[]>;

export interface PlanInput {
  question: string;
  /** From `catalogFor(model, user)`: hidden members are absent, so a planner cannot name them. */
  catalog: Catalog;
  lookupValues: LookupValues;
  /** The instant relative time expressions resolve against. */
  now: Date;
  charts?: readonly PlannerChart[];
  history?: readonly PlannerTurn[];
  signal?: AbortSignal;
}

/** Another planner answered than the configured one (the model endpoint was unavailable). */
export interface PlanFallback {
  planner: 'builtin';
  reason: 'timeout' | 'unreachable';
  /** One sentence for the user, shown before the answer. */
  notice: string;
}

export type PlanResult = (
  | {
      kind: 'query';
      query: SemanticQuery;
      explanation: string;
      /** Sentences said before the answer, e.g. which most recent quarter "Q3" meant. */
      notes?: string[];
      /** A share was asked for: these rows of `member` are set against the total in the answer. */
      share?: { member: string; values: string[] };
      /** The period in the user's words, for the answer ("last quarter", "Q3 2026"). */
      rangeLabel?: string;
      /** Two periods compared like for like: the answer compares them rather than adding them up. */
      comparison?: boolean;
    }
  | { kind: 'clarify'; question: string; options?: string[] }
) & { fallback?: PlanFallback };

/**
 * Both planners (built-in and LLM) implement this. The output is untrusted either way: the
 * server validates the query exactly like a client's before it runs.
 *
 * @example
 * ```ts
 * const result = await planner.plan({ question: 'revenue by region last quarter', catalog, lookupValues, now: new Date() });
 * if (result.kind === 'query') await queryService.run(claims, result.query);
 * ```
 */
export interface Planner {
  readonly name: 'builtin' | 'llm';
  plan(input: PlanInput): Promise<PlanResult>;
  /**
   * Optional wording of the answer. Numbers never come from here: the text refers to facts by
   * `{{key}}` placeholders that the server replaces with values it computed. Returning
   * `undefined` keeps the server's own template answer.
   */
  writeAnswer?(input: AnswerInput): Promise<string | undefined>;
}

/** A number the server computed, offered to an answer writer by key only. */
export interface AnswerFact {
  key: string;
  /** e.g. "total Revenue", "Revenue of the first row (EMEA)". Labels name members, never data. */
  label: string;
}

export interface AnswerInput {
  question: string;
  query: SemanticQuery;
  explanation: string;
  facts: readonly AnswerFact[];
  /** Result rows, present only when the workspace allows sharing row data with the model. */
  rows?: ReadonlyArray<Record<string, string | number | boolean | null>>;
  signal?: AbortSignal;
}
